//! Throw-away databases: a SQLite file in a temporary directory, or a new
//! database on a PostgreSQL server, removed again by [`ScratchDb::cleanup`] (or, failing that, when dropped).
//! `zwfw bench` measures on them; the test databases of `testing` (the
//! `testing` feature) are made the same way.

use crate::db::DbErr;
use crate::{Store, StoreResult};
use rand::Rng;
use sqlx::{Connection, Executor, Row};
use std::path::PathBuf;

/// A database made for one run, to be removed at its end.
pub struct ScratchDb {
    pub url: String,
    /// The temporary directory of a SQLite database.
    pub dir: Option<PathBuf>,
    admin_url: Option<String>,
    db_name: Option<String>,
    /// Removed already (by [`ScratchDb::cleanup`]).
    removed: bool,
}

fn unique_suffix() -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_secs();
    format!("{now}_{:08x}", rand::thread_rng().gen::<u32>())
}

impl ScratchDb {
    pub fn sqlite() -> ScratchDb {
        let dir = std::env::temp_dir().join(format!("zwfw_test_{}", unique_suffix()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let url = format!("sqlite://{}", dir.join("zwfw.db").display());
        ScratchDb { url, dir: Some(dir), admin_url: None, db_name: None, removed: false }
    }

    /// A new database on the server of `admin_url`, or the error of
    /// connecting to it. Its user must be allowed to create databases.
    /// Scratch databases left by a run that died are removed after an hour.
    pub async fn postgres_on(admin_url: &str) -> Result<ScratchDb, DbErr> {
        let admin_url = admin_url.to_string();
        let mut conn = sqlx::PgConnection::connect(&admin_url).await?;
        drop_stale(&mut conn).await;
        let name = format!("zwfw_t_{}", unique_suffix());
        conn.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create a scratch database");
        let _ = conn.close().await;
        // The database name is the path's last segment; the options after `?` stay.
        let (path, options) =
            admin_url.split_once('?').map(|(p, o)| (p, format!("?{o}"))).unwrap_or((&admin_url, String::new()));
        let base = path.rsplit_once('/').map(|(b, _)| b).unwrap_or(path);
        let url = format!("{base}/{name}{options}");
        Ok(ScratchDb { url, dir: None, admin_url: Some(admin_url), db_name: Some(name), removed: false })
    }

    /// The store on this database, migrated.
    pub async fn store(&self) -> StoreResult<Store> {
        let s = Store::connect(&self.url).await?;
        s.migrate().await?;
        Ok(s)
    }

    /// Removes the database; call at the end of the run (a failed test's
    /// database is removed by a later run after an hour).
    pub async fn cleanup(mut self) {
        self.remove().await;
        self.removed = true;
    }

    async fn remove(&self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let (Some(admin), Some(name)) = (&self.admin_url, &self.db_name) {
            if let Ok(mut c) = sqlx::PgConnection::connect(admin).await {
                let _ = c.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await;
                let _ = c.close().await;
            }
        }
    }
}

/// A run that ended without [`ScratchDb::cleanup`] (a failed test) removes
/// its database too, on a runtime of its own.
impl Drop for ScratchDb {
    fn drop(&mut self) {
        if self.removed {
            return;
        }
        let this = ScratchDb {
            url: self.url.clone(),
            dir: self.dir.take(),
            admin_url: self.admin_url.take(),
            db_name: self.db_name.take(),
            removed: true,
        };
        let _ = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() {
                rt.block_on(this.remove());
            }
        })
        .join();
    }
}

async fn drop_stale(conn: &mut sqlx::PgConnection) {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_secs();
    let Ok(rows) =
        sqlx::query("SELECT datname FROM pg_database WHERE datname LIKE 'zwfw_t_%'").fetch_all(&mut *conn).await
    else {
        return;
    };
    for r in rows {
        let name: String = r.get(0);
        let ts: u64 = name.split('_').nth(2).and_then(|s| s.parse().ok()).unwrap_or(now);
        if now.saturating_sub(ts) > 3600 {
            let _ = conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await;
        }
    }
}
