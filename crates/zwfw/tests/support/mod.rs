//! What the tests of the binary share.

/// Whether the PostgreSQL variants must run (`ZWFW_REQUIRE_POSTGRES`, set
/// in CI): a PostgreSQL that cannot be reached or started then fails the
/// test instead of skipping it.
pub fn postgres_required() -> bool {
    std::env::var("ZWFW_REQUIRE_POSTGRES").is_ok_and(|v| v == "1" || v == "true")
}

/// A fresh PostgreSQL database on `ZWFW_TEST_POSTGRES_URL` (the local
/// server by default); `None` when it is unreachable and not required
/// (`ZWFW_REQUIRE_POSTGRES`), the test `name` then said to be skipped.
#[allow(dead_code)] // not every test binary uses the shared server
pub fn scratch_postgres(rt: &tokio::runtime::Runtime, name: &str) -> Option<zwfw_store::scratch::ScratchDb> {
    let admin = std::env::var("ZWFW_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string());
    match rt.block_on(zwfw_store::scratch::ScratchDb::postgres_on(&admin)) {
        Ok(db) => Some(db),
        Err(e) if postgres_required() => panic!("PostgreSQL is required but {admin} is unreachable: {e}"),
        Err(e) => {
            eprintln!("SKIPPED on PostgreSQL: {name}: {e}");
            None
        }
    }
}
