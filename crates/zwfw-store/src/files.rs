//! The one file store: every upload and generated document, stored once under
//! its SM3 hash in a directory (`<data dir>/files/ab/cd/<sm3>`), written to a
//! temporary file, flushed to disk and renamed, so that a stored file is
//! complete or absent, never half-written.

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
