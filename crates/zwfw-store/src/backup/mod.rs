//! Backups at the storage layer: the tables the program owns, read from one
//! consistent snapshot (SQLite: one read transaction on a connection of its
//! own, so writers go on; PostgreSQL: one REPEATABLE READ, READ ONLY
//! transaction) and handed row by row to a [`Sink`]; and the [`Loader`] that
//! writes such rows into an empty database in one transaction, checks them
//! and commits, or leaves the database as it was.
//!
//! The rows are database-neutral: every column is an integer, a real, a
//! text or a blob ([`ColType`]), whatever the engine calls it, so that a
//! backup taken on one engine restores into the other. The record of the
//! backups made and of the restore drills is [`records`].

pub mod records;

use crate::db::{query, query_with, DbErr, Kind, Value};
use crate::{Backend, RowExt, Store, StoreError, StoreResult, Tx};
use zwfw_domain::audit::{ChainDefect, ChainVerifier};

/// The neutral type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColType {
    Int,
    Real,
    Text,
    Blob,
}

impl ColType {
    /// From a column's declared type (SQLite's affinity rules; PostgreSQL's type names).
    fn of_declared(decl: &str) -> ColType {
        let d = decl.to_ascii_uppercase();
        if d.contains("INT") || d == "BOOLEAN" || d == "BOOL" {
            ColType::Int
        } else if d.contains("CHAR") || d.contains("CLOB") || d.contains("TEXT") {
            ColType::Text
        } else if d.contains("REAL") || d.contains("FLOA") || d.contains("DOUB") || d == "NUMERIC" {
            ColType::Real
        } else {
            ColType::Blob
        }
    }

    /// The kind a NULL of this column is bound with.
    pub fn kind(self) -> Kind {
        match self {
            ColType::Int => Kind::Int,
            ColType::Real => Kind::Real,
            ColType::Text => Kind::Text,
            ColType::Blob => Kind::Blob,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Column {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: ColType,
}

/// A table the program owns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub name: String,
    pub columns: Vec<Column>,
    /// The primary key's columns: the order rows are read in.
    pub key: Vec<String>,
    /// The column whose values the database numbers (an `{{ID}}` column).
    pub identity: Option<String>,
}

/// The tables the schema has but that are the engine's or kept apart:
/// `zwfw_migrations` is the schema's version, written by the migrations
/// themselves; `file_blobs` (PostgreSQL) holds the stored files, which a
/// backup carries as files (on either engine) and a restore writes there.
fn is_owned(name: &str) -> bool {
    !name.starts_with("sqlite_") && name != "zwfw_migrations" && name != "file_blobs"
}

/// An applied migration: version, name, checksum.
pub type Applied = (i64, String, String);

/// What a snapshot held besides its rows.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub backend: Backend,
    /// The migrations applied to the database, in order.
    pub migrations: Vec<Applied>,
    /// The tables, in the order they were given to the sink (a table before those referring to it).
    pub tables: Vec<Table>,
    /// For each table with an identity column, the last number handed out
    /// (which may be above the largest kept, when rows were removed).
    pub last_ids: Vec<(String, i64)>,
}

/// Where the rows of a snapshot go. A method returning `Err(Stop)` ends
/// the snapshot (the sink keeps its own reason).
pub trait Sink: Send {
    fn table(&mut self, table: &Table) -> Result<(), Stop>;
    fn row(&mut self, values: &[Value]) -> Result<(), Stop>;
}

/// The sink stopped the snapshot.
#[derive(Debug, Clone, Copy)]
pub struct Stop;

fn stopped() -> StoreError {
    StoreError::Db(DbErr { msg: "the backup writer stopped".into(), unique: false })
}

/// Orders tables so that each comes after the tables it refers to (a
/// reference to itself does not count); among those free to go, by name.
fn dependency_order(mut tables: Vec<Table>, refs: &[(String, String)]) -> StoreResult<Vec<Table>> {
    tables.sort_by(|a, b| a.name.cmp(&b.name));
    let mut out: Vec<Table> = Vec::with_capacity(tables.len());
    while !tables.is_empty() {
        let placed: std::collections::HashSet<&str> = out.iter().map(|t| t.name.as_str()).collect();
        let ready = tables.iter().position(|t| {
            refs.iter().all(|(from, to)| {
                from != &t.name
                    || to == &t.name
                    || placed.contains(to.as_str())
                    || !tables.iter().any(|x| &x.name == to)
            })
        });
        match ready {
            Some(i) => out.push(tables.remove(i)),
            None => {
                return Err(StoreError::Db(DbErr {
                    msg: format!(
                        "the tables {} refer to each other in a cycle",
                        tables.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                    unique: false,
                }))
            }
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------- SQLite

fn sqlite_tables(c: &rusqlite::Connection) -> Result<Vec<Table>, DbErr> {
    let names: Vec<(String, String)> = {
        let mut st =
            c.prepare("SELECT name, COALESCE(sql, '') FROM sqlite_master WHERE type = 'table' ORDER BY name")?;
        let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    let mut tables = vec![];
    let mut refs = vec![];
    for (name, sql) in names.into_iter().filter(|(n, _)| is_owned(n)) {
        let mut columns = vec![];
        let mut key: Vec<(i64, String)> = vec![];
        {
            let mut st = c.prepare(&format!("SELECT name, type, pk FROM pragma_table_info('{name}') ORDER BY cid"))?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                let col: String = r.get(0)?;
                let decl: String = r.get(1)?;
                let pk: i64 = r.get(2)?;
                if pk > 0 {
                    key.push((pk, col.clone()));
                }
                columns.push(Column { name: col, ty: ColType::of_declared(&decl) });
            }
        }
        key.sort();
        let key: Vec<String> = key.into_iter().map(|(_, k)| k).collect();
        let identity = (sql.to_ascii_uppercase().contains("AUTOINCREMENT") && key.len() == 1).then(|| key[0].clone());
        {
            let mut st = c.prepare(&format!("SELECT \"table\" FROM pragma_foreign_key_list('{name}')"))?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                refs.push((name.clone(), r.get::<_, String>(0)?));
            }
        }
        tables.push(Table { name, columns, key, identity });
    }
    dependency_order(tables, &refs).map_err(|e| DbErr { msg: e.to_string(), unique: false })
}

fn sqlite_migrations(c: &rusqlite::Connection) -> Result<Vec<Applied>, DbErr> {
    let exists: i64 =
        c.query_row("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'zwfw_migrations'", [], |r| {
            r.get(0)
        })?;
    if exists == 0 {
        return Ok(vec![]);
    }
    let mut st = c.prepare("SELECT version, name, checksum FROM zwfw_migrations ORDER BY version")?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn sqlite_value(v: rusqlite::types::ValueRef<'_>, ty: ColType) -> Value {
    use rusqlite::types::ValueRef;
    match v {
        ValueRef::Null => Value::Null(ty.kind()),
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Real(f) => Value::Real(f),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

fn order_by(t: &Table) -> String {
    let cols: Vec<String> = if t.key.is_empty() {
        t.columns.iter().map(|c| format!("\"{}\"", c.name)).collect()
    } else {
        t.key.iter().map(|c| format!("\"{c}\"")).collect()
    };
    cols.join(", ")
}

fn select_all(t: &Table) -> String {
    let cols: Vec<String> = t.columns.iter().map(|c| format!("\"{}\"", c.name)).collect();
    format!("SELECT {} FROM \"{}\" ORDER BY {}", cols.join(", "), t.name, order_by(t))
}

fn sqlite_snapshot(path: &std::path::Path, sink: &mut dyn Sink) -> StoreResult<Snapshot> {
    use rusqlite::OpenFlags;
    let c =
        rusqlite::Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(DbErr::from)?;
    c.busy_timeout(std::time::Duration::from_secs(10)).map_err(DbErr::from)?;
    // One read transaction: every read below sees the database as it was
    // at the first (WAL mode: writers go on meanwhile).
    c.execute_batch("BEGIN").map_err(DbErr::from)?;
    let migrations = sqlite_migrations(&c)?;
    let tables = sqlite_tables(&c)?;
    let mut last_ids = vec![];
    {
        let has_seq: i64 = c
            .query_row("SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_sequence'", [], |r| r.get(0))
            .map_err(DbErr::from)?;
        if has_seq > 0 {
            let mut st = c.prepare("SELECT name, seq FROM sqlite_sequence").map_err(DbErr::from)?;
            let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))).map_err(DbErr::from)?;
            let seqs: Vec<(String, i64)> = rows.collect::<Result<_, _>>().map_err(DbErr::from)?;
            for t in tables.iter().filter(|t| t.identity.is_some()) {
                let n = seqs.iter().find(|(name, _)| name == &t.name).map_or(0, |(_, n)| *n);
                last_ids.push((t.name.clone(), n));
            }
        }
    }
    let mut vals = Vec::new();
    for t in &tables {
        sink.table(t).map_err(|_| stopped())?;
        let mut st = c.prepare(&select_all(t)).map_err(DbErr::from)?;
        let mut rows = st.query([]).map_err(DbErr::from)?;
        while let Some(r) = rows.next().map_err(DbErr::from)? {
            vals.clear();
            for (i, col) in t.columns.iter().enumerate() {
                vals.push(sqlite_value(r.get_ref(i).map_err(DbErr::from)?, col.ty));
            }
            sink.row(&vals).map_err(|_| stopped())?;
        }
    }
    c.execute_batch("COMMIT").map_err(DbErr::from)?;
    Ok(Snapshot { backend: Backend::Sqlite, migrations, tables, last_ids })
}

// ------------------------------------------------------------ PostgreSQL

async fn pg_tables(c: &mut sqlx::PgConnection) -> Result<Vec<Table>, DbErr> {
    use sqlx::Row as _;
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() ORDER BY 1",
    )
    .fetch_all(&mut *c)
    .await?;
    let cols = sqlx::query(
        "SELECT table_name::text AS t, column_name::text AS c, data_type::text AS ty, is_identity::text AS ident \
         FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position",
    )
    .fetch_all(&mut *c)
    .await?;
    let keys = sqlx::query(
        "SELECT t.relname::text AS t, a.attname::text AS c FROM pg_index i \
         JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace \
         JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, pos) ON true \
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
         WHERE i.indisprimary AND n.nspname = current_schema() ORDER BY t.relname, k.pos",
    )
    .fetch_all(&mut *c)
    .await?;
    let refs: Vec<(String, String)> = sqlx::query(
        "SELECT f.relname::text AS f, t.relname::text AS t FROM pg_constraint k \
         JOIN pg_class f ON f.oid = k.conrelid JOIN pg_class t ON t.oid = k.confrelid \
         JOIN pg_namespace n ON n.oid = f.relnamespace WHERE k.contype = 'f' AND n.nspname = current_schema()",
    )
    .fetch_all(&mut *c)
    .await?
    .iter()
    .map(|r| (r.get::<String, _>("f"), r.get::<String, _>("t")))
    .collect();
    let mut tables = vec![];
    for name in names.into_iter().filter(|n| is_owned(n)) {
        let mut columns = vec![];
        let mut identity = None;
        for r in cols.iter().filter(|r| r.get::<String, _>("t") == name) {
            let col: String = r.get("c");
            if r.get::<String, _>("ident") == "YES" {
                identity = Some(col.clone());
            }
            let ty: String = r.get("ty");
            let ty = if ty == "bytea" { ColType::Blob } else { ColType::of_declared(&ty) };
            columns.push(Column { name: col, ty });
        }
        let key = keys.iter().filter(|r| r.get::<String, _>("t") == name).map(|r| r.get::<String, _>("c")).collect();
        tables.push(Table { name, columns, key, identity });
    }
    dependency_order(tables, &refs).map_err(|e| DbErr { msg: e.to_string(), unique: false })
}

async fn pg_migrations(c: &mut sqlx::PgConnection) -> Result<Vec<Applied>, DbErr> {
    let exists: bool =
        sqlx::query_scalar("SELECT to_regclass('zwfw_migrations') IS NOT NULL").fetch_one(&mut *c).await?;
    if !exists {
        return Ok(vec![]);
    }
    Ok(sqlx::query_as("SELECT version, name, checksum FROM zwfw_migrations ORDER BY version")
        .fetch_all(&mut *c)
        .await?)
}

/// The last number the sequence of `table.column` handed out (0: none yet).
async fn pg_last_id(c: &mut sqlx::PgConnection, table: &str, column: &str) -> Result<i64, DbErr> {
    let seq: Option<String> =
        sqlx::query_scalar("SELECT pg_get_serial_sequence($1, $2)").bind(table).bind(column).fetch_one(&mut *c).await?;
    let Some(seq) = seq else { return Ok(0) };
    let (last, called): (i64, bool) =
        sqlx::query_as(&format!("SELECT last_value, is_called FROM {seq}")).fetch_one(&mut *c).await?;
    Ok(if called { last } else { last - 1 })
}

async fn pg_snapshot(store: &Store, sink: &mut dyn Sink) -> StoreResult<Snapshot> {
    use futures_util::StreamExt;
    use sqlx::{Connection, Executor};
    let pool = store.pg_pool().expect("a PostgreSQL store");
    // Records committed but not yet sealed are sealed first, so that the
    // snapshot's chain holds them (those committed later stay pending in it).
    crate::audit::seal(store).await?;
    // A connection of its own, opened within the configured connect
    // timeout; no wait for an answer on it is longer than the statement
    // limit and its grace (a table streams on as long as rows come), so
    // that a server that stops answering fails the backup instead of
    // hanging it.
    let mut c = pool.open_own().await?;
    let bound = pool.answer_within();
    let within = Some(bound);
    let silent = |d: std::time::Duration| DbErr {
        msg: format!("the database server did not answer within {} ms", d.as_millis()),
        unique: false,
    };
    crate::pgpool::answer(within, c.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"))
        .await
        .map_err(DbErr::from)?;
    let migrations = tokio::time::timeout(bound, pg_migrations(&mut c)).await.map_err(|_| silent(bound))??;
    let tables = tokio::time::timeout(bound, pg_tables(&mut c)).await.map_err(|_| silent(bound))??;
    let mut last_ids = vec![];
    for t in &tables {
        if let Some(col) = &t.identity {
            let last =
                tokio::time::timeout(bound, pg_last_id(&mut c, &t.name, col)).await.map_err(|_| silent(bound))??;
            last_ids.push((t.name.clone(), last));
        }
    }
    let mut vals = Vec::new();
    for t in &tables {
        sink.table(t).map_err(|_| stopped())?;
        let sql = select_all(t);
        let mut rows = c.fetch(sql.as_str());
        let mut decode: Option<Vec<crate::db::PgDecode>> = None;
        while let Some(r) = tokio::time::timeout(bound, rows.next()).await.map_err(|_| silent(bound))? {
            let r = r.map_err(DbErr::from)?;
            let d = decode.get_or_insert_with(|| crate::db::pg_decoders(&r));
            vals.clear();
            for (i, (dec, col)) in d.iter().zip(&t.columns).enumerate() {
                vals.push(match dec.read(&r, i) {
                    Value::Null(_) => Value::Null(col.ty.kind()),
                    v => v,
                });
            }
            sink.row(&vals).map_err(|_| stopped())?;
        }
    }
    crate::pgpool::answer(within, c.execute("COMMIT")).await.map_err(DbErr::from)?;
    let _ = tokio::time::timeout(bound, c.close()).await;
    Ok(Snapshot { backend: Backend::Postgres, migrations, tables, last_ids })
}

/// Reads every table the program owns from one consistent snapshot and
/// hands its rows to `sink`, table by table (a table before those referring
/// to it), each in the order of its primary key. The database stays in use
/// meanwhile. Returns the sink with what the snapshot held; when the sink
/// stopped it, the error is [`stopped`] and the sink knows why.
pub async fn snapshot<S: Sink + 'static>(store: &Store, mut sink: S) -> (StoreResult<Snapshot>, S) {
    match store.backend() {
        Backend::Sqlite => {
            let path = store.native().path().to_path_buf();
            // On a thread of its own: rusqlite blocks.
            match tokio::task::spawn_blocking(move || {
                let r = sqlite_snapshot(&path, &mut sink);
                (r, sink)
            })
            .await
            {
                Ok(out) => out,
                Err(e) => panic!("the snapshot thread failed: {e}"),
            }
        }
        Backend::Postgres => {
            let r = pg_snapshot(store, &mut sink).await;
            (r, sink)
        }
    }
}

// ---------------------------------------------------------------- restore

/// What a restore target holds already.
#[derive(Debug, Clone, Default)]
pub struct TargetState {
    /// Tables of the database (any, not only the program's).
    pub tables: usize,
    /// The last migration applied, if the program's schema is there.
    pub schema_version: Option<i64>,
    /// Tables of the program holding rows that are not the ones an empty
    /// schema starts with, with their count.
    pub rows: Vec<(String, i64)>,
}

impl TargetState {
    /// Whether nothing is there but, at most, an empty schema of the program.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// The rows an empty schema starts with (written by the migrations).
fn seeded_rows(table: &str) -> i64 {
    match table {
        // The singletons: the audit chain's head, the writer mark, the
        // exchange exporter's state.
        "audit_head" | "zwfw_write_lock" | "exchange_status" => 1,
        // The derivation positions after the audit trail: the case notices'
        // and the exchange rows'; one read position per feedback table of
        // the 前置库.
        "outbox_cursors" | "exchange_feedback_cursor" => 2,
        _ => 0,
    }
}

/// What the database of `store` holds: whether it can take a restore.
pub async fn target_state(store: &Store) -> StoreResult<TargetState> {
    let names: Vec<String> = match store.backend() {
        Backend::Sqlite => query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            .fetch_all(store.pool())
            .await?
            .iter()
            .map(|r| r.str("name"))
            .collect(),
        Backend::Postgres => query(
            "SELECT c.relname::text AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema()",
        )
        .fetch_all(store.pool())
        .await?
        .iter()
        .map(|r| r.str("name"))
        .collect(),
    };
    let mut state = TargetState { tables: names.len(), ..Default::default() };
    for name in &names {
        let n = query(format!("SELECT COUNT(*) AS n FROM \"{name}\"")).fetch_one(store.pool()).await?.i64("n");
        if name == "zwfw_migrations" {
            if n > 0 {
                state.schema_version = Some(
                    query("SELECT MAX(version) AS v FROM zwfw_migrations").fetch_one(store.pool()).await?.i64("v"),
                );
            }
            continue;
        }
        let mut extra = n > seeded_rows(name);
        if name == "audit_head" && !extra {
            extra =
                query("SELECT COUNT(*) AS n FROM audit_head WHERE seq <> 0").fetch_one(store.pool()).await?.i64("n")
                    > 0;
        }
        if extra {
            state.rows.push((name.clone(), n));
        }
    }
    state.rows.sort();
    Ok(state)
}

/// Parameters per INSERT statement at most (PostgreSQL takes 65,535, SQLite 32,766).
const PARAMS_PER_INSERT: usize = 30_000;
/// Rows per INSERT statement at most.
const ROWS_PER_INSERT: usize = 500;

/// The table being loaded.
struct Loading {
    table: Table,
    rows: usize,
    per_insert: usize,
    batch: Vec<Value>,
    in_batch: usize,
}

/// Writes the rows of a backup into an empty database, in one
/// transaction: made by [`Loader::begin`], fed table by table, checked and
/// committed by [`Loader::finish`]. Dropped before, it leaves the database
/// as it was.
pub struct Loader {
    tx: Tx,
    backend: Backend,
    /// The tables of the schema at the backup's version.
    tables: Vec<Table>,
    /// SQLite: the triggers, dropped while loading and made again after.
    triggers: Vec<String>,
    current: Option<Loading>,
    loaded: Vec<(String, i64)>,
}

/// Why a loaded database does not match what the backup says it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// A table's rows in the database and in the backup.
    Count { table: String, found: i64, expected: i64 },
    /// The audit chain does not verify.
    Chain(Vec<ChainDefect>),
    /// The chain's head (position, hash) found and expected.
    Head { found: (i64, String), expected: (i64, String) },
    /// Migrations of the program not applied after the restore.
    NotCurrent(Vec<i64>),
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mismatch::Count { table, found, expected } => {
                write!(f, "table {table} holds {found} rows, the backup {expected}")
            }
            Mismatch::Chain(d) => write!(
                f,
                "the audit chain does not verify: {}",
                d.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("; ")
            ),
            Mismatch::Head { found, expected } => write!(
                f,
                "the audit chain ends at record {} ({}), the backup's at {} ({})",
                found.0, found.1, expected.0, expected.1
            ),
            Mismatch::NotCurrent(v) => write!(f, "migrations {v:?} are not applied"),
        }
    }
}

/// What a finished restore checked.
#[derive(Debug, Clone)]
pub struct Restored {
    /// Rows per table.
    pub rows: Vec<(String, i64)>,
    /// Audit records verified and the chain's head (position, hash).
    pub audit_checked: i64,
    pub audit_head: (i64, String),
    /// Migrations applied after the load (the backup's schema was older).
    pub migrated_after: Vec<i64>,
}

impl Loader {
    /// Begins the restore into `store`, whose database must be empty (see
    /// [`target_state`]): migrates it to `version` in the transaction and
    /// makes it ready to take rows.
    pub async fn begin(store: &Store, version: i64) -> StoreResult<Loader> {
        let backend = store.backend();
        let mut tx = store.begin().await?;
        // The whole database in one transaction: no statement limit.
        tx.unbounded().await?;
        crate::migrate::apply_up_to(&mut tx, backend, Some(version)).await?;
        let mut triggers = vec![];
        let tables = match backend {
            Backend::Sqlite => {
                let crate::TxEngine::Sqlite(c) = tx.engine() else { unreachable!() };
                let tables = sqlite_tables(c)?;
                // References are checked at the commit, so that rows of a
                // table referring to itself may come in any order.
                c.execute_batch("PRAGMA defer_foreign_keys = ON").map_err(DbErr::from)?;
                // The triggers (the guards, the kept counts) would take the
                // rows loaded for changes; they are made again after the load.
                let mut st = c
                    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
                    .map_err(DbErr::from)?;
                let rows =
                    st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))).map_err(DbErr::from)?;
                let found: Vec<(String, String)> = rows.collect::<Result<_, _>>().map_err(DbErr::from)?;
                drop(st);
                for (name, sql) in found {
                    c.execute_batch(&format!("DROP TRIGGER \"{name}\"")).map_err(DbErr::from)?;
                    triggers.push(sql);
                }
                tables
            }
            Backend::Postgres => {
                let tables = {
                    let crate::TxEngine::Pg(l) = tx.engine() else { unreachable!() };
                    let r = pg_tables(l.raw()).await;
                    l.settle(Ok(()))?;
                    r?
                };
                for t in &tables {
                    query(format!("ALTER TABLE \"{}\" DISABLE TRIGGER USER", t.name)).execute(tx.conn()).await?;
                }
                tables
            }
        };
        Ok(Loader { tx, backend, tables, triggers, current: None, loaded: vec![] })
    }

    /// Writes a stored file of the backup into the database in the
    /// restore's transaction (PostgreSQL, which keeps the files' contents;
    /// nothing on SQLite, whose files are in the data directory alone).
    pub async fn file(&mut self, sm3: &str, bytes: &[u8]) -> StoreResult<()> {
        crate::files::put_blob_in(&mut self.tx, sm3, bytes).await
    }

    /// The tables of the schema at the backup's version.
    pub fn tables(&self) -> &[Table] {
        &self.tables
    }

    /// Starts loading `table` with `columns` in this order (the backup's):
    /// each must be a column of the table in the schema.
    pub async fn start_table(&mut self, table: &str, columns: &[String]) -> StoreResult<()> {
        self.end_table().await?;
        let Some(t) = self.tables.iter().find(|t| t.name == table) else {
            return Err(StoreError::NotFound("table"));
        };
        let mut picked = vec![];
        for c in columns {
            let Some(col) = t.columns.iter().find(|x| &x.name == c) else {
                return Err(StoreError::NotFound("column"));
            };
            picked.push(col.clone());
        }
        let t = Table { name: t.name.clone(), columns: picked, key: t.key.clone(), identity: t.identity.clone() };
        // The rows an empty schema starts with give way to the backup's.
        if seeded_rows(table) > 0 {
            query(format!("DELETE FROM \"{table}\"")).execute(self.tx.conn()).await?;
        }
        let per_insert = (PARAMS_PER_INSERT / t.columns.len().max(1)).clamp(1, ROWS_PER_INSERT);
        self.current = Some(Loading { table: t, rows: 0, per_insert, batch: vec![], in_batch: 0 });
        Ok(())
    }

    /// The columns of the table being loaded, in the backup's order.
    pub fn columns(&self) -> &[Column] {
        self.current.as_ref().map_or(&[], |l| &l.table.columns)
    }

    /// Adds a row of the table being loaded (its values in the order of its columns).
    pub async fn row(&mut self, values: Vec<Value>) -> StoreResult<()> {
        let Some(l) = self.current.as_mut() else { return Err(StoreError::NotFound("table")) };
        if values.len() != l.table.columns.len() {
            return Err(StoreError::Conflict("row length"));
        }
        l.batch.extend(values);
        l.in_batch += 1;
        l.rows += 1;
        if l.in_batch >= l.per_insert {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> StoreResult<()> {
        let Some(l) = self.current.as_mut() else { return Ok(()) };
        if l.in_batch == 0 {
            return Ok(());
        }
        let n = l.table.columns.len();
        let cols: Vec<String> = l.table.columns.iter().map(|c| format!("\"{}\"", c.name)).collect();
        let mut sql = format!("INSERT INTO \"{}\" ({}) VALUES ", l.table.name, cols.join(", "));
        for r in 0..l.in_batch {
            if r > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for c in 0..n {
                if c > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!("${}", r * n + c + 1));
            }
            sql.push(')');
        }
        let args = std::mem::take(&mut l.batch);
        l.in_batch = 0;
        query_with(sql, args).execute(self.tx.conn()).await?;
        Ok(())
    }

    async fn end_table(&mut self) -> StoreResult<()> {
        self.flush().await?;
        if let Some(l) = self.current.take() {
            self.loaded.push((l.table.name, l.rows as i64));
        }
        Ok(())
    }

    /// Ends the load: sets each identity's last number (`last_ids`, from
    /// the backup), makes the triggers again, checks that every table
    /// holds `expected` rows and that the audit chain verifies up to
    /// `audit_head`, then applies the migrations the backup's schema
    /// lacked, checks that the schema is current and commits. A mismatch
    /// rolls everything back and is returned in `Ok(Err(_))`.
    pub async fn finish(
        mut self,
        last_ids: &[(String, i64)],
        expected: &[(String, i64)],
        audit_head: (i64, &str),
    ) -> StoreResult<Result<Restored, Mismatch>> {
        self.end_table().await?;
        self.set_last_ids(last_ids).await?;
        match self.backend {
            Backend::Sqlite => {
                let crate::TxEngine::Sqlite(c) = self.tx.engine() else { unreachable!() };
                for sql in std::mem::take(&mut self.triggers) {
                    c.execute_batch(&sql).map_err(DbErr::from)?;
                }
            }
            Backend::Postgres => {
                for t in &self.tables {
                    query(format!("ALTER TABLE \"{}\" ENABLE TRIGGER USER", t.name)).execute(self.tx.conn()).await?;
                }
            }
        }
        let mut rows = vec![];
        for t in &self.tables {
            let n =
                query(format!("SELECT COUNT(*) AS n FROM \"{}\"", t.name)).fetch_one(self.tx.conn()).await?.i64("n");
            let want = expected.iter().find(|(name, _)| name == &t.name).map_or(0, |(_, n)| *n);
            if n != want {
                return Ok(Err(Mismatch::Count { table: t.name.clone(), found: n, expected: want }));
            }
            rows.push((t.name.clone(), n));
        }
        let (checked, defects, head) = verify_chain(&mut self.tx).await?;
        if !defects.is_empty() {
            return Ok(Err(Mismatch::Chain(defects)));
        }
        if head.0 != audit_head.0 || head.1 != audit_head.1 {
            return Ok(Err(Mismatch::Head { found: head, expected: (audit_head.0, audit_head.1.to_string()) }));
        }
        let migrated_after = crate::migrate::apply_up_to(&mut self.tx, self.backend, None).await?;
        let applied: Vec<i64> = query("SELECT version FROM zwfw_migrations")
            .fetch_all(self.tx.conn())
            .await?
            .iter()
            .map(|r| r.i64("version"))
            .collect();
        let missing: Vec<i64> = crate::MIGRATIONS.iter().map(|(v, _, _)| *v).filter(|v| !applied.contains(v)).collect();
        if !missing.is_empty() {
            return Ok(Err(Mismatch::NotCurrent(missing)));
        }
        self.tx.commit().await?;
        Ok(Ok(Restored { rows, audit_checked: checked, audit_head: head, migrated_after }))
    }

    async fn set_last_ids(&mut self, last_ids: &[(String, i64)]) -> StoreResult<()> {
        for t in &self.tables {
            let Some(col) = &t.identity else { continue };
            let given = last_ids.iter().find(|(name, _)| name == &t.name).map_or(0, |(_, n)| *n);
            let max = query(format!("SELECT COALESCE(MAX(\"{col}\"), 0) AS n FROM \"{}\"", t.name))
                .fetch_one(self.tx.conn())
                .await?
                .i64("n");
            let last = given.max(max);
            match self.backend {
                Backend::Sqlite => {
                    query("DELETE FROM sqlite_sequence WHERE name = $1")
                        .bind(t.name.as_str())
                        .execute(self.tx.conn())
                        .await?;
                    if last > 0 {
                        query("INSERT INTO sqlite_sequence (name, seq) VALUES ($1, $2)")
                            .bind(t.name.as_str())
                            .bind(last)
                            .execute(self.tx.conn())
                            .await?;
                    }
                }
                Backend::Postgres => {
                    let (v, called) = if last > 0 { (last, true) } else { (1, false) };
                    let called = if called { "true" } else { "false" };
                    query(format!("SELECT setval(pg_get_serial_sequence($1, $2), $3, {called})"))
                        .bind(t.name.as_str())
                        .bind(col.as_str())
                        .bind(v)
                        .execute(self.tx.conn())
                        .await?;
                }
            }
        }
        Ok(())
    }
}

/// Verifies the audit chain as the transaction sees it, up to the head row
/// (records still pending are not part of it): records checked, defects, head.
async fn verify_chain(tx: &mut Tx) -> StoreResult<(i64, Vec<ChainDefect>, (i64, String))> {
    let head = query("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(tx.conn()).await?;
    let (head_seq, head_hash) = (head.i64("seq"), head.str("hash"));
    let mut v = ChainVerifier::default();
    let mut after = 0;
    loop {
        let rows = query("SELECT * FROM audit_log WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT 5000")
            .bind(after)
            .bind(head_seq)
            .fetch_all(tx.conn())
            .await?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let rec = crate::audit::record(r);
            after = rec.seq;
            v.feed(&rec);
        }
    }
    let checked = v.checked;
    let (at, hash) = v.position();
    let last = (at, hash.to_string());
    let mut defects = v.finish(head_seq);
    if defects.is_empty() && last.1 != head_hash {
        // The head row names another last record than the chain's.
        defects.push(ChainDefect::BrokenLink { seq: head_seq });
    }
    Ok((checked, defects, last))
}

/// The migrations of `applied` that this program does not have, or has
/// with another text (their versions).
pub fn unknown_migrations(applied: &[Applied]) -> (Vec<i64>, Vec<i64>) {
    let mut unknown = vec![];
    let mut differing = vec![];
    for (v, _, checksum) in applied {
        match crate::migrate::checksum_accepted(*v, checksum) {
            None => unknown.push(*v),
            Some(false) => differing.push(*v),
            Some(true) => {}
        }
    }
    (unknown, differing)
}

/// The last migration applied to the database of `store` (0: none).
pub async fn schema_version(store: &Store) -> StoreResult<i64> {
    let exists = match store.backend() {
        Backend::Sqlite => {
            query("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'zwfw_migrations'")
        }
        Backend::Postgres => query("SELECT COUNT(*) AS n FROM pg_class WHERE oid = to_regclass('zwfw_migrations')"),
    };
    if exists.fetch_one(store.pool()).await?.i64("n") == 0 {
        return Ok(0);
    }
    Ok(query("SELECT COALESCE(MAX(version), 0) AS v FROM zwfw_migrations").fetch_one(store.pool()).await?.i64("v"))
}

/// The last migration this program has.
pub fn program_schema_version() -> i64 {
    crate::MIGRATIONS.last().map_or(0, |(v, _, _)| *v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(name: &str) -> Table {
        Table { name: name.into(), columns: vec![], key: vec![], identity: None }
    }

    #[test]
    fn referred_tables_come_first_and_self_references_do_not_count() {
        let refs = vec![
            ("cases".to_string(), "users".to_string()),
            ("users".to_string(), "departments".to_string()),
            ("departments".to_string(), "departments".to_string()),
            ("audit".to_string(), "elsewhere".to_string()),
        ];
        let order = dependency_order(vec![t("cases"), t("users"), t("departments"), t("audit")], &refs).unwrap();
        let names: Vec<&str> = order.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["audit", "departments", "users", "cases"]);
        let cycle = vec![("a".to_string(), "b".to_string()), ("b".to_string(), "a".to_string())];
        assert!(dependency_order(vec![t("a"), t("b")], &cycle).is_err());
    }

    #[test]
    fn declared_types_are_neutral() {
        assert_eq!(ColType::of_declared("BIGINT"), ColType::Int);
        assert_eq!(ColType::of_declared("INTEGER"), ColType::Int);
        assert_eq!(ColType::of_declared("bigint"), ColType::Int);
        assert_eq!(ColType::of_declared("TEXT"), ColType::Text);
        assert_eq!(ColType::of_declared("character varying"), ColType::Text);
        assert_eq!(ColType::of_declared("double precision"), ColType::Real);
        assert_eq!(ColType::of_declared("BLOB"), ColType::Blob);
    }
}
