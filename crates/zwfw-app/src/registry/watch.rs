//! The watched folder: an extract put in it (xlsx, CSV or JSON; written
//! under another name first and renamed in, since names starting with `.`
//! or ending in `.part` or `.tmp` are passed over) is imported by the
//! background job like an administrator's upload, all or nothing, and moved
//! to `done/` or `failed/` with a report beside it (`<name>.report.json`:
//! the counts, or every bad cell). A file is claimed by moving it to
//! `processing/` first, so that several app servers sharing the folder
//! import it once.

use super::{import_checked, ImportReport, Imported};
use crate::error::{AppError, AppResult};
use crate::state::{App, Ctx};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// What one pass over the folder did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WatchReport {
    pub imported: Vec<String>,
    pub failed: Vec<String>,
}

#[derive(Serialize)]
struct Report<'a> {
    file: &'a str,
    imported_at: String,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    imported: Option<&'a Imported>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rejected: Option<&'a ImportReport>,
}

fn io(e: std::io::Error, what: &str, p: &Path) -> AppError {
    AppError::Internal(format!("watched folder: cannot {what} {}: {e}", p.display()))
}

/// Whether a file of the folder is an extract to take (not a hidden or
/// partly written one).
fn takes(name: &str) -> bool {
    !(name.starts_with('.') || name.ends_with(".part") || name.ends_with(".tmp"))
}

/// A name in `dir` that is not taken yet: `name`, else `name` with a number.
fn free_name(dir: &Path, stamp: &str, name: &str) -> PathBuf {
    let mut p = dir.join(format!("{stamp}-{name}"));
    let mut i = 1;
    while p.exists() {
        p = dir.join(format!("{stamp}-{i}-{name}"));
        i += 1;
    }
    p
}

/// Imports every extract waiting in `dir`.
pub async fn scan(st: &App, dir: &Path) -> AppResult<WatchReport> {
    let mut report = WatchReport::default();
    let (processing, done, failed) = (dir.join("processing"), dir.join("done"), dir.join("failed"));
    for d in [&processing, &done, &failed] {
        std::fs::create_dir_all(d).map_err(|e| io(e, "create", d))?;
    }
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| io(e, "read", dir))?
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| takes(n))
        .collect();
    names.sort();
    let ctx = Ctx { state: st, actor: None, client_addr: "registry-watch".into() };
    for name in names {
        let claimed = processing.join(&name);
        // Another app server may have claimed it first.
        if std::fs::rename(dir.join(&name), &claimed).is_err() {
            continue;
        }
        let bytes = std::fs::read(&claimed).map_err(|e| io(e, "read", &claimed))?;
        let result = import_checked(&ctx, &name, &bytes, "folder").await;
        let stamp: String = zwfw_domain::time::format_local(st.now_ms()).chars().filter(char::is_ascii_digit).collect();
        let (to_dir, ok) = match &result {
            Ok(_) => (&done, true),
            Err(_) => (&failed, false),
        };
        let target = free_name(to_dir, &stamp, &name);
        std::fs::rename(&claimed, &target).map_err(|e| io(e, "move", &claimed))?;
        let r = Report {
            file: &name,
            imported_at: zwfw_domain::time::format_rfc3339(st.now_ms()),
            ok,
            imported: result.as_ref().ok(),
            rejected: result.as_ref().err(),
        };
        let mut report_path = target.clone().into_os_string();
        report_path.push(".report.json");
        let text = serde_json::to_string_pretty(&r).expect("serializable");
        std::fs::write(&report_path, text).map_err(|e| io(e, "write", Path::new(&report_path)))?;
        if ok {
            tracing::info!(file = %name, "registry extract imported from the watched folder");
            report.imported.push(name);
        } else {
            tracing::warn!(file = %name, "registry extract in the watched folder rejected; see failed/");
            report.failed.push(name);
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    #[test]
    fn partly_written_and_hidden_files_wait() {
        assert!(super::takes("人口库.xlsx"));
        assert!(!super::takes(".人口库.xlsx"));
        assert!(!super::takes("persons.csv.part"));
        assert!(!super::takes("persons.csv.tmp"));
    }
}
