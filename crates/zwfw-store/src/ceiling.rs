//! The machine's commit ceiling, measured beside the benchmarks so that
//! their figures can be given as a share of what the disk and the database
//! engine allow at that moment (the speed of the same machine drifts by a
//! third over a day): single-row commits per second, each an INSERT of one
//! short row committed on its own.

use crate::db::DbErr;
use std::time::{Duration, Instant};

/// Single-row commits per second on one SQLite connection to a new file in
/// `dir` (WAL; synchronous FULL or NORMAL), for `length`.
pub fn sqlite(dir: &std::path::Path, full_sync: bool, length: Duration) -> Result<f64, DbErr> {
    let path = dir.join(format!("ceiling-{}.db", if full_sync { "full" } else { "normal" }));
    let c = rusqlite::Connection::open(&path)?;
    c.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
    c.execute_batch(if full_sync { "PRAGMA synchronous = FULL" } else { "PRAGMA synchronous = NORMAL" })?;
    c.execute_batch("CREATE TABLE probe (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")?;
    let mut st = c.prepare("INSERT INTO probe (v) VALUES (?1)")?;
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed() < length {
        for _ in 0..100 {
            st.execute(["一条记录"])?;
        }
        n += 100;
    }
    let rate = n as f64 / started.elapsed().as_secs_f64();
    drop(st);
    drop(c);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    Ok(rate)
}

/// Single-row commits per second on the PostgreSQL database of `url` from
/// `clients` connections at once (synchronous_commit on or off), for
/// `length`. Makes a table of its own and drops it.
pub async fn postgres(url: &str, clients: usize, synchronous: bool, length: Duration) -> Result<f64, DbErr> {
    use sqlx::{Connection, Executor};
    let mut admin = sqlx::PgConnection::connect(url).await?;
    admin.execute("CREATE TABLE IF NOT EXISTS zwfw_ceiling_probe (id BIGSERIAL PRIMARY KEY, v TEXT NOT NULL)").await?;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let url = url.to_string();
        tasks.push(tokio::spawn(async move {
            let mut c = sqlx::PgConnection::connect(&url).await?;
            c.execute(if synchronous { "SET synchronous_commit = on" } else { "SET synchronous_commit = off" }).await?;
            let mut n = 0u64;
            while started.elapsed() < length {
                sqlx::query("INSERT INTO zwfw_ceiling_probe (v) VALUES ($1)").bind("一条记录").execute(&mut c).await?;
                n += 1;
            }
            let _ = c.close().await;
            Ok::<u64, sqlx::Error>(n)
        }));
    }
    let mut n = 0;
    for t in tasks {
        n += t.await.map_err(|e| DbErr { msg: e.to_string(), unique: false })??;
    }
    let rate = n as f64 / started.elapsed().as_secs_f64();
    admin.execute("DROP TABLE zwfw_ceiling_probe").await?;
    let _ = admin.close().await;
    Ok(rate)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_sqlite_ceiling_commits_and_leaves_nothing_behind() {
        let dir = std::env::temp_dir().join(format!("zwfw_ceiling_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let rate = super::sqlite(&dir, false, std::time::Duration::from_millis(20)).unwrap();
        assert!(rate > 0.0, "{rate}");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "the probe's files are removed");
        std::fs::remove_dir(&dir).unwrap();
    }
}
