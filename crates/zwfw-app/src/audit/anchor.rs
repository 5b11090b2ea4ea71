//! Anchors of the audit chain outside the database ([`zwfw_domain::audit::anchor`]):
//! the installation's SM2 key, writing an anchor file (at an interval by the
//! server, or now by `zwfw audit anchor`), the latest anchor for the
//! supervision overview, and the check of a directory of anchors against
//! the trail (`zwfw audit verify --anchors DIR`).

use crate::error::{AppError, AppResult, Kind};
use crate::licenses::keys::{master_key, verify as sm2_verify, Signer, SoftwareSigner};
use crate::state::App;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use zwfw_domain::audit::anchor::{self as da, Anchor, AnchorDefect};
use zwfw_store::audit::VerifyReport;

/// Where and how often the server anchors the chain (`[audit]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchorConfig {
    /// The directory anchors are written to; none: the server writes none.
    pub dir: Option<PathBuf>,
    /// How often, in milliseconds (an anchor is written only when the trail grew).
    pub interval_ms: i64,
}

/// One hour.
pub const DEFAULT_INTERVAL_MS: i64 = 3_600_000;

impl Default for AnchorConfig {
    fn default() -> Self {
        AnchorConfig { dir: None, interval_ms: DEFAULT_INTERVAL_MS }
    }
}

/// An interval as written in the configuration: a number with `s`, `m`,
/// `h` or `d` (`15m`, `1h`); a bare number is minutes. From 10 seconds to 7 days.
pub fn parse_interval(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let ms = if !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit()) {
        t.parse::<i64>().ok().and_then(|n| n.checked_mul(60_000))
    } else {
        zwfw_domain::time::period_ms(t)
    }
    .ok_or_else(|| format!("{t:?} is not an interval such as 15m, 1h or 1d"))?;
    if !(10_000..=7 * 86_400_000).contains(&ms) {
        return Err(format!("{t:?}: the interval is between 10s and 7d"));
    }
    Ok(ms)
}

/// The installation's identity and SM2 key, kept in the settings with the
/// private key sealed under the master key (made at the first anchor).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct KeyRecord {
    installation: String,
    public_key: String,
    signer_id: String,
    private_sealed: String,
    created_at: i64,
}

const KEY_SETTING: &str = "installation_key";

/// The public part of the installation's key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Installation {
    pub id: String,
    pub public_key: String,
    pub signer_id: String,
}

async fn key_record(st: &App) -> AppResult<Option<KeyRecord>> {
    let Some(text) = zwfw_store::settings::get(&st.store, KEY_SETTING).await? else { return Ok(None) };
    serde_json::from_str(&text).map(Some).map_err(|e| AppError::Internal(format!("installation key: {e}")))
}

/// The installation's identity and public key, if it has made its key.
pub async fn installation(st: &App) -> AppResult<Option<Installation>> {
    Ok(key_record(st).await?.map(|k| Installation {
        id: k.installation,
        public_key: k.public_key,
        signer_id: k.signer_id,
    }))
}

/// The installation's signer: its key opened with the master key, made
/// (and the making audited) when there is none yet. Several servers making
/// it at once keep the first.
async fn signer(st: &App) -> AppResult<(Installation, Box<dyn Signer>)> {
    let master = master_key(st)?;
    let record = match key_record(st).await? {
        Some(k) => k,
        None => {
            let secret = sm2::SecretKey::random(&mut rand::rngs::OsRng);
            let signer_id = st.config.licenses.signer_id.clone();
            let s = SoftwareSigner::new(&secret, &signer_id)?;
            let public_key = hex::encode(s.public_key());
            let k = KeyRecord {
                installation: hex::encode(rand::random::<[u8; 8]>()),
                private_sealed: master.seal(&secret.to_bytes(), &public_key)?,
                public_key,
                signer_id,
                created_at: st.now_ms(),
            };
            let text = serde_json::to_string(&k).map_err(|e| AppError::Internal(e.to_string()))?;
            let mut tx = st.store.begin().await?;
            if zwfw_store::settings::put_new(&mut tx, KEY_SETTING, &text, st.now_ms()).await? {
                let ctx = crate::Ctx { state: st, actor: None, client_addr: "system".into() };
                let detail = serde_json::json!({"installation": k.installation, "public_key": k.public_key});
                let e = ctx.entry("installation_key_created", "installation", &k.installation, detail, "");
                ctx.audit(&mut tx, e).await?;
            }
            tx.commit().await?;
            key_record(st).await?.ok_or_else(|| AppError::Internal("installation key".into()))?
        }
    };
    let s = crate::licenses::keys::signer_of_sealed(st, &record.private_sealed, &record.public_key, &record.signer_id)
        .map_err(|e| match e.code() {
            "master_key_wrong" => AppError::with_detail(Kind::Unavailable, "master_key_wrong", "installation_key"),
            _ => e,
        })?;
    Ok((Installation { id: record.installation, public_key: record.public_key, signer_id: record.signer_id }, s))
}

/// The latest anchor written, as the supervision overview shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = AuditAnchor)]
pub struct LatestAnchor {
    /// The position and SM3 hash of the chain's last record then.
    pub seq: i64,
    pub hash: String,
    pub at_ms: i64,
    /// The file's name in the anchor directory.
    pub file: String,
    pub installation: String,
    /// The installation's SM2 public key (hex) that signed it.
    pub public_key: String,
}

/// The job the server's anchoring runs as (one server at a time).
const JOB: &str = "audit_anchor";
const LEASE_MS: i64 = 300_000;

fn holder() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| format!("{}-{}", std::process::id(), hex::encode(rand::random::<[u8; 6]>())))
}

/// The latest anchor written, if any.
pub async fn latest(st: &App) -> AppResult<Option<LatestAnchor>> {
    let job = zwfw_store::supervision::job(&st.store, JOB).await?;
    Ok(job.and_then(|j| serde_json::from_str(&j.state).ok()))
}

/// An anchor written: its content and its file.
#[derive(Debug, Clone)]
pub struct Written {
    pub anchor: Anchor,
    pub path: PathBuf,
}

/// Signs the chain's head now and writes it into `dir` (made if missing)
/// as a file of its own; records it as the latest anchor.
pub async fn write(st: &App, dir: &Path) -> AppResult<Written> {
    let w = write_file(st, dir).await?;
    let latest = serde_json::to_string(&latest_of(&w)).map_err(|e| AppError::Internal(e.to_string()))?;
    zwfw_store::supervision::set_job_state(&st.store, JOB, &latest, st.now_ms()).await?;
    Ok(w)
}

fn latest_of(w: &Written) -> LatestAnchor {
    LatestAnchor {
        seq: w.anchor.seq,
        hash: w.anchor.hash.clone(),
        at_ms: w.anchor.at_ms,
        file: w.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        installation: w.anchor.installation.clone(),
        public_key: w.anchor.public_key.clone(),
    }
}

async fn write_file(st: &App, dir: &Path) -> AppResult<Written> {
    let (inst, signer) = signer(st).await?;
    let (seq, hash) = zwfw_store::audit::head(&st.store).await?;
    let at_ms = st.now_ms();
    let mut anchor = Anchor {
        format: da::FORMAT.into(),
        installation: inst.id,
        site: st.config.site_name.clone(),
        seq,
        hash,
        at_ms,
        at: zwfw_domain::time::format_rfc3339(at_ms),
        public_key: inst.public_key,
        signer_id: inst.signer_id,
        signature: String::new(),
    };
    anchor.signature = hex::encode(signer.sign(&anchor.message())?);
    let text = serde_json::to_string_pretty(&anchor).map_err(|e| AppError::Internal(e.to_string()))?;
    let (dir, name) = (dir.to_path_buf(), anchor.file_name());
    let path = tokio::task::spawn_blocking(move || put_file(&dir, &name, text.as_bytes()))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::with_detail(Kind::Unavailable, "anchor_not_written", e))?;
    Ok(Written { anchor, path })
}

/// Writes a new file atomically: the whole content under a temporary name,
/// flushed, then linked to its name, which must not exist (an anchor is
/// never overwritten); where the file system cannot link, renamed after
/// checking that the name is free.
fn put_file(dir: &Path, name: &str, content: &[u8]) -> Result<PathBuf, String> {
    use std::io::Write;
    let fail = |what: &str, e: std::io::Error| format!("{what} {}: {e}", dir.display());
    std::fs::create_dir_all(dir).map_err(|e| fail("cannot create the anchor directory", e))?;
    let path = dir.join(name);
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let mut f = std::fs::File::create(&tmp).map_err(|e| fail("cannot write in", e))?;
    f.write_all(content).and_then(|_| f.sync_all()).map_err(|e| fail("cannot write in", e))?;
    drop(f);
    let linked = match std::fs::hard_link(&tmp, &path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(format!("{} exists already", path.display())),
        Err(_) if path.exists() => Err(format!("{} exists already", path.display())),
        Err(_) => std::fs::rename(&tmp, &path).map_err(|e| fail("cannot write in", e)),
    };
    let _ = std::fs::remove_file(&tmp);
    linked?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(path)
}

/// The server's anchoring, run every few seconds: writes an anchor when the
/// configured interval has passed since the last one and the trail grew
/// since. One server at a time (a lease in the job table). Answers the
/// anchor written, if one was.
pub async fn run_due(st: &App) -> AppResult<Option<Written>> {
    let Some(dir) = st.config.audit.dir.clone() else { return Ok(None) };
    let now = st.now_ms();
    if latest(st).await?.is_some_and(|l| (0..st.config.audit.interval_ms).contains(&(now - l.at_ms))) {
        return Ok(None);
    }
    let Some(state) = zwfw_store::supervision::claim_job(&st.store, JOB, holder(), now, LEASE_MS).await? else {
        return Ok(None);
    };
    let last: Option<LatestAnchor> = serde_json::from_str(&state).ok();
    let (seq, _) = zwfw_store::audit::head(&st.store).await?;
    let fresh = last.as_ref().is_some_and(|l| (0..st.config.audit.interval_ms).contains(&(now - l.at_ms)));
    if fresh || last.as_ref().is_some_and(|l| l.seq == seq) {
        zwfw_store::supervision::finish_job(&st.store, JOB, holder(), None, "unchanged", None, now).await?;
        return Ok(None);
    }
    match write_file(st, &dir).await {
        Ok(w) => {
            let text = serde_json::to_string(&latest_of(&w)).map_err(|e| AppError::Internal(e.to_string()))?;
            let result = format!("record {}", w.anchor.seq);
            zwfw_store::supervision::finish_job(&st.store, JOB, holder(), Some(&text), &result, None, st.now_ms())
                .await?;
            Ok(Some(w))
        }
        Err(e) => {
            let msg = e.to_string();
            zwfw_store::supervision::finish_job(&st.store, JOB, holder(), None, "", Some(&msg), st.now_ms()).await?;
            Err(e)
        }
    }
}

/// What checking a directory of anchors found.
#[derive(Debug, Clone)]
pub struct AnchorReport {
    /// The whole trail's own check.
    pub chain: VerifyReport,
    /// Anchor files read, and those whose signature holds.
    pub files: usize,
    pub valid: usize,
    /// The key the signatures were checked against, and where it came from.
    pub public_key: Option<String>,
    pub key_source: &'static str,
    pub defects: Vec<AnchorDefect>,
}

impl AnchorReport {
    pub fn is_sound(&self) -> bool {
        self.chain.defects.is_empty() && self.defects.is_empty()
    }
}

/// Checks every anchor file in `dir`: its SM2 signature, by the
/// installation's key (or `public_key`, given by the operator from a copy
/// kept apart), then, in the one pass that verifies the whole trail, that
/// the trail still holds each anchored hash at its anchored position.
pub async fn verify_dir(st: &App, dir: &Path, public_key: Option<&str>) -> AppResult<AnchorReport> {
    let inst = installation(st).await?;
    let (expected, key_source) = match (public_key.map(|k| k.trim().to_ascii_lowercase()), &inst) {
        (Some(k), _) => (Some(k), "given"),
        (None, Some(i)) => (Some(i.public_key.clone()), "installation"),
        (None, None) => (None, "anchors"),
    };
    let dir_buf = dir.to_path_buf();
    let files = tokio::task::spawn_blocking(move || read_anchor_files(&dir_buf))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::with_detail(Kind::BadInput, "anchor_dir_unreadable", e))?;
    let mut defects = vec![];
    let mut valid: Vec<(String, Anchor)> = vec![];
    for (file, text) in &files {
        let a: Anchor = match serde_json::from_str(text) {
            Ok(a) => a,
            Err(e) => {
                defects.push(AnchorDefect::Unreadable { file: file.clone(), why: e.to_string() });
                continue;
            }
        };
        if a.format != da::FORMAT {
            defects.push(AnchorDefect::Unreadable { file: file.clone(), why: format!("format {:?}", a.format) });
            continue;
        }
        if inst.as_ref().is_some_and(|i| i.id != a.installation) {
            defects.push(AnchorDefect::OtherInstallation { file: file.clone(), installation: a.installation });
            continue;
        }
        if expected.as_ref().is_some_and(|k| *k != a.public_key.to_ascii_lowercase()) {
            defects.push(AnchorDefect::OtherKey { file: file.clone(), seq: a.seq });
            continue;
        }
        let key = hex::decode(&a.public_key).unwrap_or_default();
        let sig = hex::decode(&a.signature).unwrap_or_default();
        if !sm2_verify(&key, &a.signer_id, &a.message(), &sig) {
            defects.push(AnchorDefect::Forged { file: file.clone(), seq: a.seq });
            continue;
        }
        valid.push((file.clone(), a));
    }
    let (chain, stored) = zwfw_store::audit::verify_watching(&st.store, valid.iter().map(|(_, a)| a.seq)).await?;
    defects.extend(da::compare(&valid, &stored));
    let public_key = expected.or_else(|| valid.first().map(|(_, a)| a.public_key.clone()));
    Ok(AnchorReport { chain, files: files.len(), valid: valid.len(), public_key, key_source, defects })
}

/// The anchor files of a directory (name, content), by name.
fn read_anchor_files(dir: &Path) -> Result<Vec<(String, String)>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut out = vec![];
    for e in entries {
        let e = e.map_err(|e| format!("{}: {e}", dir.display()))?;
        let name = e.file_name().to_string_lossy().into_owned();
        if !da::is_anchor_file(&name) {
            continue;
        }
        let text = std::fs::read(e.path()).map_err(|err| format!("{name}: {err}"))?;
        out.push((name, String::from_utf8_lossy(&text).into_owned()));
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals() {
        assert_eq!(parse_interval("15m"), Ok(900_000));
        assert_eq!(parse_interval("1h"), Ok(3_600_000));
        assert_eq!(parse_interval(" 1d "), Ok(86_400_000));
        assert_eq!(parse_interval("30"), Ok(1_800_000), "minutes");
        assert_eq!(parse_interval("10s"), Ok(10_000));
        assert!(parse_interval("5s").is_err());
        assert!(parse_interval("8d").is_err());
        assert!(parse_interval("1w").is_err());
        assert!(parse_interval("h").is_err());
    }

    #[test]
    fn a_file_is_never_overwritten() {
        let dir = std::env::temp_dir().join(format!("zwfw_anchor_put_{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let p = put_file(&dir, "audit-anchor-a.json", b"one").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"one");
        assert!(put_file(&dir, "audit-anchor-a.json", b"two").unwrap_err().contains("exists"));
        assert_eq!(std::fs::read(&p).unwrap(), b"one");
        let names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 1, "no temporary file left: {names:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
