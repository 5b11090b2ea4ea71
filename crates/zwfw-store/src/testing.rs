//! Test support, compiled with the `testing` feature (the test suites of the
//! workspace enable it; the program is built without it): fresh databases
//! for a test, a SQLite file in a temporary directory or a new database on
//! the PostgreSQL server named by `ZWFW_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`), and `both_backends!`
//! running a test on each. When PostgreSQL is unreachable the PostgreSQL
//! variants are skipped with a message, unless `ZWFW_REQUIRE_POSTGRES=1`,
//! which makes that a failure. Besides: changes made around the program, and
//! the same database as another process of the program sees it.

use crate::scratch::ScratchDb;
use crate::{Store, StoreResult};
use sqlx::{Connection, Executor};

pub const DEFAULT_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

pub fn postgres_admin_url() -> String {
    std::env::var("ZWFW_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_PG_URL.to_string())
}

pub fn postgres_required() -> bool {
    std::env::var("ZWFW_REQUIRE_POSTGRES").is_ok_and(|v| v == "1" || v == "true")
}

/// A new PostgreSQL database for the test named `test`, or `None` (with a
/// message) if no server answers and PostgreSQL is not required.
pub async fn postgres(test: &str) -> Option<ScratchDb> {
    let admin_url = postgres_admin_url();
    match ScratchDb::postgres_on(&admin_url).await {
        Ok(db) => Some(db),
        Err(e) if postgres_required() => {
            panic!("PostgreSQL is required (ZWFW_REQUIRE_POSTGRES=1) but {admin_url} is unreachable: {e}")
        }
        Err(e) => {
            eprintln!("SKIPPED on PostgreSQL: {test}: {admin_url} unreachable ({e})");
            None
        }
    }
}

/// Runs `f` against a fresh SQLite database and, when reachable, a fresh
/// PostgreSQL database: the one storage suite for both backends.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::scratch::ScratchDb::sqlite();
                let store = db.store().await.expect("sqlite store");
                ($body)(store.clone()).await;
                store.close().await;
                db.cleanup().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(db) = $crate::testing::postgres(concat!(module_path!(), "::", stringify!($name))).await else {
                    return;
                };
                let store = db.store().await.expect("postgres store");
                ($body)(store.clone()).await;
                store.close().await;
                db.cleanup().await;
            }
        }
    };
}

/// Runs `sql` as a database tool would, on a connection of its own that is
/// not the program's (a new SQLite connection with default settings, a new
/// PostgreSQL connection without the program's mark): a change made around
/// the program, for tests of rule A07.
pub async fn execute_outside(store: &Store, sql: &str) -> StoreResult<u64> {
    use crate::db::DbErr;
    match store.backend() {
        crate::Backend::Sqlite => {
            let c = rusqlite::Connection::open(store.native().path()).map_err(DbErr::from)?;
            c.busy_timeout(std::time::Duration::from_secs(10)).map_err(DbErr::from)?;
            Ok(c.execute(sql, []).map_err(DbErr::from)? as u64)
        }
        crate::Backend::Postgres => {
            let pool = store.pg_pool().expect("a PostgreSQL store has a pool");
            let mut c = sqlx::PgConnection::connect_with(pool.connect_options()).await.map_err(DbErr::from)?;
            let done = c.execute(sql).await.map_err(DbErr::from)?;
            let _ = c.close().await;
            Ok(done.rows_affected())
        }
    }
}

/// The case rows the store remembers having written (see `recent`).
pub fn remembered_cases(store: &Store) -> Vec<crate::cases::CaseRow> {
    store.recent.all()
}

/// Makes the store forget the case rows it wrote, as a restart would (after
/// a test changed cases around the program).
pub fn forget_remembered_cases(store: &Store) {
    store.recent.clear();
}

/// The same database as another process of the program would see it: the
/// same connections, but none of this store's memory of the cases it wrote.
pub fn other_process(store: &Store) -> Store {
    Store {
        engine: store.engine.clone(),
        backend: store.backend,
        recent: Default::default(),
        trail: Default::default(),
    }
}

/// The cases whose row disagrees with the domain's sets of states on what
/// the indexes, inboxes and dashboard read instead of the state: a
/// conclusion time is set exactly on the ended states (`CaseState::ENDED`;
/// the lists and indexes of open cases by deadline read `concluded_at IS
/// NULL` as "not ended", migrations 0010 and 0019), and a handling
/// department only on an open case (`CaseState::OPEN`; the inboxes and the
/// kept counts of open cases read it, migrations 0018 and 0019). At most
/// 20, as (id, state).
pub async fn case_rows_off_their_state(store: &Store) -> StoreResult<Vec<(i64, String)>> {
    use zwfw_domain::cases::CaseState;
    use zwfw_domain::{const_concat, sql_list};
    const ENDED: &str = sql_list!(CaseState, CaseState::ENDED);
    const SQL: &str = const_concat!(
        "SELECT id, state FROM cases WHERE (concluded_at IS NULL AND state IN (",
        ENDED,
        ")) OR (concluded_at IS NOT NULL AND state NOT IN (",
        ENDED,
        ")) OR (handling_department_id IS NOT NULL AND state NOT IN (",
        sql_list!(CaseState, CaseState::OPEN),
        ")) ORDER BY id LIMIT 20"
    );
    use crate::RowExt;
    let rows = crate::db::query(SQL).fetch_all(store.pool()).await?;
    Ok(rows.iter().map(|r| (r.i64("id"), r.str("state"))).collect())
}
