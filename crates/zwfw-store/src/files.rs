//! The one file store: every upload and generated document, stored once under
//! its SM3 hash in a directory (`<data dir>/files/ab/cd/<sm3>`), written to a
//! temporary file, flushed to disk and renamed, so that a stored file is
//! complete or absent, never half-written.
//!
//! On PostgreSQL the contents are also kept in the database (`file_blobs`,
//! by SM3), written before the row that refers to them commits, so that
//! every app server of the database reads every file; there the directory is
//! a cache of this server's, filled when a file is read that it lacks. On
//! SQLite (one server) the directory is the store.

use crate::{Store, StoreError, StoreResult, Tx};
use std::io::Write;
use std::path::{Path, PathBuf};
use zwfw_domain::audit::sm3_hex;

#[derive(Debug, Clone)]
pub struct FileStore {
    root: PathBuf,
}

impl FileStore {
    pub fn new(root: impl Into<PathBuf>) -> FileStore {
        FileStore { root: root.into() }
    }

    fn path(&self, sm3: &str) -> Option<PathBuf> {
        if sm3.len() != 64 || !sm3.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        Some(self.root.join(&sm3[0..2]).join(&sm3[2..4]).join(sm3))
    }

    /// Where the file named `sm3` is (or would be) kept; `None` for a name that is not an SM3.
    pub fn path_of(&self, sm3: &str) -> Option<PathBuf> {
        self.path(sm3)
    }

    /// Stores the bytes (once) and returns their SM3.
    pub fn put(&self, bytes: &[u8]) -> std::io::Result<String> {
        let sm3 = sm3_hex(bytes);
        let path = self.path(&sm3).expect("valid hash");
        if path.exists() {
            return Ok(sm3);
        }
        let dir = path.parent().expect("has parent");
        std::fs::create_dir_all(dir)?;
        let tmp = dir.join(format!(".{sm3}.{}.tmp", std::process::id()));
        {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, &path)?;
        Ok(sm3)
    }

    /// The bytes of a stored file, checked against their hash.
    pub fn get(&self, sm3: &str) -> std::io::Result<Option<Vec<u8>>> {
        let Some(path) = self.path(sm3) else { return Ok(None) };
        match std::fs::read(&path) {
            Ok(b) if sm3_hex(&b) == sm3 => Ok(Some(b)),
            Ok(_) => Err(std::io::Error::other(format!("stored file {sm3} is corrupt"))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
}

/// Records a stored file (idempotent).
pub async fn record(tx: &mut Tx, sm3: &str, size: i64, kind: &str, by: Option<i64>, now_ms: i64) -> StoreResult<()> {
    crate::db::query(
        "INSERT INTO files (sm3, size, kind, created_at, created_by) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sm3) DO NOTHING",
    )
    .bind(sm3)
    .bind(size)
    .bind(kind)
    .bind(now_ms)
    .bind(by)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Keeps the bytes of the file `sm3` in the database (PostgreSQL; nothing on
/// SQLite, whose files live in the directory alone). Idempotent: a file
/// already kept is left as it is. Runs on a connection of its own, before
/// the transaction that refers to the file.
pub async fn put_blob(store: &Store, sm3: &str, bytes: &[u8]) -> StoreResult<()> {
    if store.backend() != crate::Backend::Postgres {
        return Ok(());
    }
    insert_blob(store.pool(), sm3, bytes).await
}

/// As [`put_blob`], in the transaction `tx` (a restore writes the files it
/// loads in its one transaction).
pub async fn put_blob_in(tx: &mut Tx, sm3: &str, bytes: &[u8]) -> StoreResult<()> {
    if tx.is_exclusive() {
        return Ok(());
    }
    insert_blob(tx.conn(), sm3, bytes).await
}

async fn insert_blob(ex: crate::db::Ex<'_>, sm3: &str, bytes: &[u8]) -> StoreResult<()> {
    crate::db::query("INSERT INTO file_blobs (sm3, content) VALUES ($1, $2) ON CONFLICT (sm3) DO NOTHING")
        .bind(sm3)
        .bind(bytes)
        .execute(ex)
        .await?;
    Ok(())
}

/// The bytes the database keeps for the file `sm3` (PostgreSQL; always
/// `None` on SQLite), not yet checked against their hash.
pub async fn get_blob(store: &Store, sm3: &str) -> StoreResult<Option<Vec<u8>>> {
    if store.backend() != crate::Backend::Postgres {
        return Ok(None);
    }
    let row = crate::db::query("SELECT content FROM file_blobs WHERE sm3 = $1")
        .bind(sm3)
        .fetch_optional(store.pool())
        .await?;
    Ok(row.and_then(|r| match r.value("content") {
        Some(crate::db::Value::Blob(b)) => Some(b.clone()),
        _ => None,
    }))
}

/// Stored files the database lists but does not keep the bytes of
/// (PostgreSQL; none on SQLite): those stored before the database kept
/// them, at most `limit`.
pub async fn without_blob(store: &Store, limit: i64) -> StoreResult<Vec<String>> {
    if store.backend() != crate::Backend::Postgres {
        return Ok(vec![]);
    }
    let rows = crate::db::query(
        "SELECT f.sm3 FROM files f WHERE NOT EXISTS (SELECT 1 FROM file_blobs b WHERE b.sm3 = f.sm3) ORDER BY f.sm3 LIMIT $1",
    )
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    Ok(rows.iter().map(|r| crate::RowExt::str(r, "sm3")).collect())
}

pub async fn kind_of(store: &Store, sm3: &str) -> StoreResult<String> {
    let row = crate::db::query("SELECT kind FROM files WHERE sm3 = $1").bind(sm3).fetch_optional(store.pool()).await?;
    row.map(|r| crate::RowExt::str(&r, "kind")).ok_or(StoreError::NotFound("file"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_once_and_checks() {
        let dir = std::env::temp_dir().join(format!("zwfw_files_{}", std::process::id()));
        let fs = FileStore::new(&dir);
        let a = fs.put(b"%PDF-1.4 hello").unwrap();
        assert_eq!(fs.put(b"%PDF-1.4 hello").unwrap(), a);
        assert_eq!(fs.get(&a).unwrap().unwrap(), b"%PDF-1.4 hello");
        assert_eq!(fs.get(&"0".repeat(64)).unwrap(), None);
        assert_eq!(fs.get("../../etc/passwd").unwrap(), None);
        std::fs::write(fs.path(&a).unwrap(), b"tampered").unwrap();
        assert!(fs.get(&a).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
