//! Continuity: backups made on a schedule (and on the administrator's
//! request) into the backup directory, the retention that keeps the newest
//! N, the restore drill that proves the newest one restores, the record of
//! both, and the lapses supervision reports (rule A10).
//!
//! The schedule and the drill run on one app server at a time: each is a
//! job of the job table, claimed with a lease.

use super::{codes, Created};
use crate::error::{AppError, AppResult, Kind};
use crate::state::{App, AppConfig, Ctx};
use serde::Serialize;
use serde_json::json;
use std::path::{Path, PathBuf};
use zwfw_domain::backup::{self as rules, Continuity, Lapse};
use zwfw_store::backup::records::{self as rec, BackupRecord, DrillRecord};

/// The settings of scheduled backups and drills (`[backup]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupConfig {
    /// Where backups are written (may be a mounted remote disk).
    pub dir: PathBuf,
    /// How often a backup is made; `None`: not on a schedule.
    pub every_ms: Option<i64>,
    /// How many of the backups made here are kept (older files are removed).
    pub keep: usize,
    /// How often the newest backup is restored as a drill; `None`: never.
    pub drill_every_ms: Option<i64>,
    /// Encrypt the backups made here under the master key; unset: encrypt
    /// when a master key is configured.
    pub encrypt: Option<bool>,
}

impl BackupConfig {
    /// The defaults for a data directory: daily backups into
    /// `<data dir>/backups`, the newest 7 kept, a drill every week.
    pub fn defaults(data_dir: &Path) -> BackupConfig {
        BackupConfig {
            dir: data_dir.join("backups"),
            every_ms: Some(24 * 3_600_000),
            keep: 7,
            drill_every_ms: Some(7 * 24 * 3_600_000),
            encrypt: None,
        }
    }
}

/// The job names of the schedule and the drill, and their leases.
const BACKUP_JOB: &str = "backup";
const DRILL_JOB: &str = "backup_drill";
const LEASE_MS: i64 = 60 * 60_000;

fn holder() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| format!("{}-{}", std::process::id(), hex::encode(rand::random::<[u8; 6]>())))
}

fn config(st: &App) -> AppResult<&BackupConfig> {
    st.config.backup.as_ref().ok_or_else(|| AppError::new(Kind::Unavailable, codes::NOT_CONFIGURED))
}

/// Who asks: the account on a page or the API must be the system
/// administrator; the schedule and the command line act as the system.
fn allowed(ctx: &Ctx<'_>) -> AppResult<()> {
    match ctx.actor {
        Some(a) if !zwfw_domain::access::staff::may_operate_backups(a) => Err(AppError::forbidden()),
        _ => Ok(()),
    }
}

/// Who made a backup, as its record names them: the person's name (the
/// audit trail keeps their account).
fn actor_name(ctx: &Ctx<'_>) -> String {
    match ctx.actor {
        Some(a) => a.display_name.clone(),
        None => ctx.client_addr.clone(),
    }
}

/// A failure as it is recorded: its code and its message.
fn failure(e: &AppError) -> (Option<String>, Option<String>) {
    (Some(e.code().to_string()), Some(e.message()))
}

/// Records a backup made (or attempted) by `create`, so that the
/// continuity checks see it whoever made it.
pub async fn record_backup(
    ctx: &Ctx<'_>,
    kind: &str,
    out: &Path,
    started_at: i64,
    result: &AppResult<Created>,
) -> AppResult<BackupRecord> {
    let st = ctx.state;
    let dir = out.parent().map(|p| p.display().to_string()).unwrap_or_default();
    let file_name = out.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let mut r = BackupRecord {
        id: 0,
        kind: kind.to_string(),
        dir,
        file_name,
        started_at,
        millis: (st.now_ms() - started_at).max(0),
        outcome: "failed".into(),
        error_code: None,
        error: None,
        size: 0,
        sm3: String::new(),
        encrypted: false,
        created_at: None,
        rows_total: 0,
        files: 0,
        audit_seq: 0,
        actor_name: actor_name(ctx),
        pruned_at: None,
    };
    match result {
        Ok(c) => {
            r.outcome = "ok".into();
            r.millis = c.millis as i64;
            r.size = c.size as i64;
            r.sm3 = c.sm3.clone();
            r.encrypted = c.encrypted;
            r.created_at = Some(c.manifest.created_at);
            r.rows_total = c.manifest.rows;
            r.files = c.manifest.files as i64;
            r.audit_seq = c.manifest.audit_seq;
        }
        Err(e) => (r.error_code, r.error) = failure(e),
    }
    r.id = rec::insert_backup(&st.store, &r).await?;
    Ok(r)
}

/// A file name in `dir` not yet taken, from the time.
fn fresh_path(dir: &Path, now: i64) -> PathBuf {
    let name = rules::file_name(now);
    let mut path = dir.join(&name);
    let mut n = 2;
    while path.exists() {
        path = dir.join(name.replace(".zbak", &format!("-{n}.zbak")));
        n += 1;
    }
    path
}

/// Makes a backup into the backup directory now, records it (also when it
/// fails) and removes the files beyond the retention. `kind`: scheduled or
/// manual. Refused while another backup is being made.
pub async fn back_up_now(ctx: &Ctx<'_>, kind: &str) -> AppResult<BackupRecord> {
    back_up_when_due(ctx, kind, None).await?.ok_or_else(|| AppError::Internal("a backup not made".into()))
}

/// As [`back_up_now`]; with `every`, only when the last backup (by any
/// server) started at least `every` ago or there is none, which is read
/// again once the lease is held: two servers that both found a backup due
/// make one. `None`: not due.
pub async fn back_up_when_due(ctx: &Ctx<'_>, kind: &str, every: Option<i64>) -> AppResult<Option<BackupRecord>> {
    allowed(ctx)?;
    let st = ctx.state;
    let cfg = config(st)?.clone();
    let Ok(_busy) = st.backup_busy.try_lock() else { return Err(AppError::new(Kind::Conflict, codes::RUNNING)) };
    let claimed = zwfw_store::supervision::claim_job(&st.store, BACKUP_JOB, holder(), st.now_ms(), LEASE_MS).await?;
    if claimed.is_none() {
        return Err(AppError::new(Kind::Conflict, codes::RUNNING));
    }
    if let Some(every) = every {
        let due = match rec::last_started(&st.store).await {
            Ok(last) => rules::due(last, st.now_ms(), every),
            Err(e) => {
                zwfw_store::supervision::finish_job(&st.store, BACKUP_JOB, holder(), None, "", None, st.now_ms())
                    .await?;
                return Err(e.into());
            }
        };
        if !due {
            zwfw_store::supervision::finish_job(&st.store, BACKUP_JOB, holder(), None, "not due", None, st.now_ms())
                .await?;
            return Ok(None);
        }
    }
    let r = back_up_claimed(ctx, kind, &cfg).await;
    let result = match &r {
        Ok(b) if b.outcome == "ok" => format!("{} ok", b.file_name),
        Ok(b) => format!("{} failed: {}", b.file_name, b.error_code.clone().unwrap_or_default()),
        Err(e) => e.code().to_string(),
    };
    zwfw_store::supervision::finish_job(&st.store, BACKUP_JOB, holder(), None, &result, None, st.now_ms()).await?;
    r.map(Some)
}

async fn back_up_claimed(ctx: &Ctx<'_>, kind: &str, cfg: &BackupConfig) -> AppResult<BackupRecord> {
    let st = ctx.state;
    let started_at = st.now_ms();
    let result = match std::fs::create_dir_all(&cfg.dir) {
        Ok(()) => {
            let out = fresh_path(&cfg.dir, started_at);
            (super::create(ctx, &out, encrypts(st, cfg)).await, out)
        }
        Err(e) => {
            let what = format!("creating {}", cfg.dir.display());
            (
                Err(AppError::with_detail(Kind::Unavailable, codes::IO, format!("{what}: {e}"))),
                cfg.dir.join(rules::file_name(started_at)),
            )
        }
    };
    let (created, out) = result;
    if let Err(e) = &created {
        tracing::error!(code = e.code(), error = %e.message(), dir = %cfg.dir.display(), "a backup failed");
        let entry = ctx.entry(
            "backup_failed",
            "backup",
            out.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default(),
            json!({"path": out.display().to_string(), "error": e.code()}),
            "",
        );
        ctx.audit_alone(entry).await?;
    }
    let record = record_backup(ctx, kind, &out, started_at, &created).await?;
    if created.is_ok() {
        prune(ctx, cfg).await?;
    }
    Ok(record)
}

/// Removes the files of the backups made into the backup directory beyond
/// the `keep` newest (their records stay, marked). Files of the directory
/// the platform did not make are never touched.
async fn prune(ctx: &Ctx<'_>, cfg: &BackupConfig) -> AppResult<()> {
    let st = ctx.state;
    let dir = cfg.dir.display().to_string();
    let kept = rec::kept_in(&st.store, &dir).await?;
    let pairs: Vec<(i64, i64)> = kept.iter().map(|b| (b.id, b.started_at)).collect();
    for id in rules::beyond_kept(&pairs, cfg.keep) {
        let Some(b) = kept.iter().find(|b| b.id == id) else { continue };
        let path = cfg.dir.join(&b.file_name);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                tracing::warn!(file = %path.display(), error = %e, "an old backup could not be removed");
                continue;
            }
        }
        rec::mark_pruned(&st.store, b.id, st.now_ms()).await?;
        let entry = ctx.entry(
            "backup_pruned",
            "backup",
            &b.file_name,
            json!({"path": path.display().to_string(), "keep": cfg.keep}),
            "",
        );
        ctx.audit_alone(entry).await?;
    }
    Ok(())
}

// ------------------------------------------------------------ the drill

/// Restores a backup into a scratch SQLite database and data directory
/// (removed afterwards) and checks it: the restore's own checks (every
/// table's rows, the audit chain verifying and ending at the backup's head,
/// the schema current), then the audit verification of the restored trail
/// as `zwfw audit verify` runs it. Records the outcome, the measured time
/// and the age of the data restored, and audits it. `from`: a file;
/// otherwise the newest good backup. A drill that finds nothing to restore
/// fails.
pub async fn drill(ctx: &Ctx<'_>, kind: &str, from: Option<&Path>) -> AppResult<DrillRecord> {
    drill_when_due(ctx, kind, from, None).await?.ok_or_else(|| AppError::Internal("a drill not run".into()))
}

/// As [`drill`]; with `every`, only when a good backup exists and the last
/// drill (by any server) started at least `every` ago or there is none,
/// read again once the lease is held. `None`: not due.
pub async fn drill_when_due(
    ctx: &Ctx<'_>,
    kind: &str,
    from: Option<&Path>,
    every: Option<i64>,
) -> AppResult<Option<DrillRecord>> {
    allowed(ctx)?;
    let st = ctx.state;
    let Ok(_busy) = st.backup_busy.try_lock() else { return Err(AppError::new(Kind::Conflict, codes::RUNNING)) };
    let claimed = zwfw_store::supervision::claim_job(&st.store, DRILL_JOB, holder(), st.now_ms(), LEASE_MS).await?;
    if claimed.is_none() {
        return Err(AppError::new(Kind::Conflict, codes::RUNNING));
    }
    if let Some(every) = every {
        let due = drill_due(st, every).await;
        if !matches!(due, Ok(true)) {
            let result = if due.is_ok() { "not due" } else { "" };
            zwfw_store::supervision::finish_job(&st.store, DRILL_JOB, holder(), None, result, None, st.now_ms())
                .await?;
            return due.map(|_| None);
        }
    }
    let r = drill_claimed(ctx, kind, from).await;
    let result = match &r {
        Ok(d) => format!("{} {}", d.file_name, d.outcome),
        Err(e) => e.code().to_string(),
    };
    zwfw_store::supervision::finish_job(&st.store, DRILL_JOB, holder(), None, &result, None, st.now_ms()).await?;
    r.map(Some)
}

/// Whether a drill is due: a good backup exists and the last drill started
/// at least `every` ago, or there is none.
async fn drill_due(st: &App, every: i64) -> AppResult<bool> {
    let last = rec::drills(&st.store, 1).await?.first().map(|d| d.started_at);
    let any_backup = rec::newest_ok(&st.store).await?.is_some();
    Ok(any_backup && rules::due(last, st.now_ms(), every))
}

async fn drill_claimed(ctx: &Ctx<'_>, kind: &str, from: Option<&Path>) -> AppResult<DrillRecord> {
    let st = ctx.state;
    let started_at = st.now_ms();
    let started = std::time::Instant::now();
    let (path, backup) = match from {
        Some(p) => (Some(p.to_path_buf()), None),
        None => match rec::newest_ok(&st.store).await? {
            Some(b) => (Some(Path::new(&b.dir).join(&b.file_name)), Some(b)),
            None => (None, None),
        },
    };
    let mut d = DrillRecord {
        id: 0,
        backup_id: backup.as_ref().map(|b| b.id),
        file_name: path
            .as_ref()
            .and_then(|p| p.file_name())
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default(),
        kind: kind.to_string(),
        started_at,
        millis: 0,
        outcome: "failed".into(),
        error_code: None,
        error: None,
        backup_created_at: backup.as_ref().and_then(|b| b.created_at),
        data_age_ms: None,
        tables_checked: 0,
        rows_checked: 0,
        audit_checked: 0,
        actor_name: actor_name(ctx),
    };
    let outcome = match &path {
        None => Err(AppError::new(Kind::NotFound, codes::NO_BACKUP)),
        Some(p) => restore_scratch(st, p).await,
    };
    d.millis = started.elapsed().as_millis() as i64;
    match outcome {
        Ok(checked) => {
            d.outcome = "passed".into();
            d.backup_created_at = Some(checked.created_at);
            d.data_age_ms = Some((started_at - checked.created_at).max(0));
            d.tables_checked = checked.tables;
            d.rows_checked = checked.rows;
            d.audit_checked = checked.audit_checked;
        }
        Err(e) => {
            tracing::error!(code = e.code(), error = %e.message(), file = %d.file_name, "the restore drill failed");
            (d.error_code, d.error) = failure(&e);
        }
    }
    d.id = rec::insert_drill(&st.store, &d).await?;
    let entry = ctx.entry(
        "backup_drilled",
        "backup_drill",
        d.id,
        json!({
            "path": d.file_name,
            "passed": d.outcome == "passed",
            "millis": d.millis,
            "data_age_ms": d.data_age_ms,
            "audit_checked": d.audit_checked,
            "error": d.error_code,
        }),
        "",
    );
    ctx.audit_alone(entry).await?;
    Ok(d)
}

/// What a drill's restore checked.
struct Checked {
    created_at: i64,
    tables: i64,
    rows: i64,
    audit_checked: i64,
}

static SCRATCH: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Where drills restore: under the server's data directory, which is
/// sized for the data (a temporary file system may not be), and which
/// belongs to this server alone.
pub fn scratch_root(st: &App) -> std::path::PathBuf {
    st.config.data_dir.join("drill")
}

/// Restores `path` into a scratch SQLite database and data directory of
/// its own, checks it, and removes them.
async fn restore_scratch(st: &App, path: &Path) -> AppResult<Checked> {
    let n = SCRATCH.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = scratch_root(st).join(format!("scratch_{}_{}_{n}", std::process::id(), st.now_ms()));
    std::fs::create_dir_all(&dir)
        .map_err(|e| AppError::with_detail(Kind::Unavailable, codes::IO, format!("creating {}: {e}", dir.display())))?;
    let r = restore_in(st, path, &dir).await;
    let _ = std::fs::remove_dir_all(&dir);
    r
}

async fn restore_in(st: &App, path: &Path, dir: &Path) -> AppResult<Checked> {
    let url = format!("sqlite://{}", dir.join("zwfw.db").display());
    let store = zwfw_store::Store::connect(&url).await?;
    let scratch = App::new(
        store.clone(),
        st.clock.clone(),
        AppConfig {
            data_dir: dir.to_path_buf(),
            licenses: st.config.licenses.clone(),
            site_name: st.config.site_name.clone(),
            ..AppConfig::default()
        },
    );
    let ctx = Ctx { state: &scratch, actor: None, client_addr: "drill".into() };
    let result = async {
        let restored = super::restore(&ctx, path).await?;
        // The restored trail as `zwfw audit verify` checks it.
        let report = zwfw_store::audit::verify(&store).await?;
        if !report.defects.is_empty() {
            let defects: Vec<String> = report.defects.iter().map(|d| d.to_string()).collect();
            return Err(AppError::with_detail(Kind::Invalid, codes::CHECK_FAILED, defects.join("; ")));
        }
        Ok(Checked {
            created_at: restored.manifest.created_at,
            tables: restored.manifest.tables as i64,
            rows: restored.manifest.rows,
            audit_checked: report.checked,
        })
    }
    .await;
    drop(ctx);
    drop(scratch);
    store.close().await;
    result
}

// ------------------------------------------------------------ schedule

/// What one turn of the schedule did.
#[derive(Debug, Clone, Default)]
pub struct Tick {
    pub backup: Option<BackupRecord>,
    pub drill: Option<DrillRecord>,
}

/// One turn of the schedule: a backup when the last is at least the
/// period old (or there is none), then a drill when the last is at least
/// its period old. Nothing when backups are not configured or another
/// server is at it. Each is looked at first without the lease (cheap, every
/// minute on every server), then again under it, so that of several servers
/// that found it due one makes it.
pub async fn tick(st: &App) -> AppResult<Tick> {
    let Some(cfg) = st.config.backup.clone() else { return Ok(Tick::default()) };
    let ctx = Ctx { state: st, actor: None, client_addr: "job".into() };
    let mut done = Tick::default();
    if let Some(every) = cfg.every_ms {
        if rules::due(rec::last_started(&st.store).await?, st.now_ms(), every) {
            match back_up_when_due(&ctx, "scheduled", Some(every)).await {
                Ok(b) => done.backup = b,
                Err(e) if e.code() == codes::RUNNING => {}
                Err(e) => return Err(e),
            }
        }
    }
    if let Some(every) = cfg.drill_every_ms {
        if drill_due(st, every).await? {
            match drill_when_due(&ctx, "scheduled", None, Some(every)).await {
                Ok(d) => done.drill = d,
                Err(e) if e.code() == codes::RUNNING => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(done)
}

// ------------------------------------------------------------ continuity

/// The lapses of continuity now (rule A10): none when backups are not
/// configured.
pub async fn lapses(st: &App) -> AppResult<Vec<Lapse>> {
    let Some(cfg) = &st.config.backup else { return Ok(vec![]) };
    let newest = rec::newest_ok(&st.store).await?;
    let last_drill = rec::drills(&st.store, 1).await?.into_iter().next();
    let passed = rec::last_passed_drill(&st.store).await?;
    let since = match rec::first_started(&st.store).await? {
        Some(t) => t,
        None => since_watching(st).await?,
    };
    let c = Continuity {
        newest_backup: newest.map(|b| (b.id, b.started_at)),
        last_drill: last_drill.map(|d| (d.id, d.started_at, d.outcome == "passed")),
        last_passed_drill: passed.map(|d| (d.id, d.started_at)),
        since,
    };
    Ok(rules::lapses(&c, st.now_ms(), cfg.drill_every_ms))
}

/// When the platform began to expect backups: kept in the settings the
/// first time it is asked.
async fn since_watching(st: &App) -> AppResult<i64> {
    const KEY: &str = "backup_watch_since";
    if let Some(v) = zwfw_store::settings::get(&st.store, KEY).await?.and_then(|v| v.parse().ok()) {
        return Ok(v);
    }
    let now = st.now_ms();
    let mut tx = st.store.begin().await?;
    zwfw_store::settings::put(&mut tx, KEY, &now.to_string(), now).await?;
    tx.commit().await?;
    Ok(now)
}

/// A period in words: 24 小时, 7 天, 30 分钟.
pub fn period_text(ms: i64) -> String {
    match ms {
        ms if ms % 86_400_000 == 0 => format!("{} 天", ms / 86_400_000),
        ms if ms % 3_600_000 == 0 => format!("{} 小时", ms / 3_600_000),
        ms if ms % 60_000 == 0 => format!("{} 分钟", ms / 60_000),
        ms => format!("{} 秒", ms / 1000),
    }
}

/// Whether the backups made here are encrypted (see [`rules::encrypts`]).
pub fn encrypts(st: &App, cfg: &BackupConfig) -> bool {
    rules::encrypts(cfg.encrypt, st.config.licenses.master_key.is_some())
}

/// What the operators are told when backups are not encrypted and nobody
/// chose so (see [`rules::warns_unencrypted`]); none otherwise.
pub fn unencrypted_warning(st: &App) -> Option<&'static str> {
    let cfg = st.config.backup.as_ref()?;
    rules::warns_unencrypted(cfg.encrypt, st.config.licenses.master_key.is_some(), st.config.demo)
        .then_some(UNENCRYPTED)
}

/// Why the backups made here are not encrypted, in words; none when they are.
fn plain_reason(st: &App) -> Option<&'static str> {
    let cfg = st.config.backup.as_ref()?;
    if encrypts(st, cfg) {
        return None;
    }
    Some(if cfg.encrypt == Some(false) {
        "不加密（已在配置中选择 encrypt = false；备份含全部个人信息，请妥善保管备份目录）"
    } else if st.config.demo {
        "不加密（演示模式，未配置主密钥；正式部署请配置主密钥，备份即以SM4-GCM加密）"
    } else {
        "不加密（未配置主密钥）"
    })
}

/// The warning of [`unencrypted_warning`], in words.
pub const UNENCRYPTED: &str = "数据备份未加密：没有配置主密钥，备份文件中的全部数据（含个人信息）以明文保存。\
     请配置主密钥（配置文件 [licenses] master_key 或环境变量 ZWFW_MASTER_KEY），此后的备份自动以SM4-GCM加密；\
     确需不加密的，请在 [backup] 中写明 encrypt = false。";

/// A lapse in words, for the administrator's page and workbench.
pub fn lapse_text(l: &Lapse) -> String {
    let when = zwfw_domain::time::format_local;
    match l {
        Lapse::NoBackup { since } => format!("自 {} 起没有一次成功的数据备份（已超过26小时）。", when(*since)),
        Lapse::Stale { at, .. } => format!("最近一次成功的数据备份在 {}，已超过26小时没有新的备份。", when(*at)),
        Lapse::DrillFailed { at, .. } => {
            format!("{} 的恢复演练未通过：最新备份不能恢复或恢复后核对不一致。", when(*at))
        }
        Lapse::NoDrillPassed { last: Some((_, at)) } => {
            format!("最近一次通过的恢复演练在 {}，本周期内没有通过的恢复演练。", when(*at))
        }
        Lapse::NoDrillPassed { last: None } => "还没有通过的恢复演练：备份是否可用未经验证。".to_string(),
    }
}

// ------------------------------------------------------------ the view

/// The backups and drills as the administrator sees them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BackupsView {
    /// Whether backups are configured (the directory and the schedule).
    pub configured: bool,
    pub dir: Option<String>,
    /// Milliseconds between scheduled backups (none: not scheduled), and in words.
    pub every_ms: Option<i64>,
    pub every_text: Option<String>,
    pub keep: Option<usize>,
    /// Milliseconds between restore drills (none: no drills), and in words.
    pub drill_every_ms: Option<i64>,
    pub drill_every_text: Option<String>,
    pub encrypt: bool,
    /// Backups are not encrypted and nobody chose so: what to do, in words.
    pub unencrypted_warning: Option<String>,
    /// Backups are not encrypted: why, in words (none: they are).
    pub plain_reason: Option<String>,
    /// The latest backups, newest first (50 at most).
    pub backups: Vec<BackupView>,
    /// The latest drills, newest first (20 at most).
    pub drills: Vec<DrillRecord>,
    /// What is wrong with continuity now, in words (empty: nothing).
    pub lapses: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BackupView {
    #[serde(flatten)]
    pub record: BackupRecord,
    /// The file is still in its directory.
    pub present: bool,
    /// The last drill of this backup: passed | failed (none: not drilled).
    pub drilled: Option<String>,
}

/// The view of `/admin/backups` (system administrators).
pub async fn overview(ctx: &Ctx<'_>) -> AppResult<BackupsView> {
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    if !zwfw_domain::access::staff::may_operate_backups(actor) {
        return Err(AppError::forbidden());
    }
    let st = ctx.state;
    let cfg = st.config.backup.as_ref();
    let drills = rec::drills(&st.store, 20).await?;
    let backups = rec::backups(&st.store, 50)
        .await?
        .into_iter()
        .map(|b| BackupView {
            present: b.outcome == "ok" && Path::new(&b.dir).join(&b.file_name).is_file(),
            drilled: drills.iter().find(|d| d.backup_id == Some(b.id)).map(|d| d.outcome.clone()),
            record: b,
        })
        .collect();
    Ok(BackupsView {
        configured: cfg.is_some(),
        dir: cfg.map(|c| c.dir.display().to_string()),
        every_ms: cfg.and_then(|c| c.every_ms),
        every_text: cfg.and_then(|c| c.every_ms).map(period_text),
        keep: cfg.map(|c| c.keep),
        drill_every_ms: cfg.and_then(|c| c.drill_every_ms),
        drill_every_text: cfg.and_then(|c| c.drill_every_ms).map(period_text),
        encrypt: cfg.is_some_and(|c| encrypts(st, c)),
        unencrypted_warning: unencrypted_warning(st).map(str::to_string),
        plain_reason: plain_reason(st).map(str::to_string),
        backups,
        drills,
        lapses: lapses(st).await?.iter().map(lapse_text).collect(),
    })
}
