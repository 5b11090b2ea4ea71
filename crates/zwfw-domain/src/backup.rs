//! Backups: what a backup says it holds (its manifest), the checks of what
//! was read from one against it, whether this program can restore it, and
//! the keys a backup is encrypted and recognised with. The file's layout
//! is the application's (`zwfw_app::backup::format`).

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sm3::Sm3;

/// The version of the backup format this program writes and reads.
pub const FORMAT: u32 = 1;

/// A table of the backup: its rows, and the SM3 of their serialized form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TablePart {
    pub name: String,
    pub rows: i64,
    pub sm3: String,
    /// The last number the database handed out for the table's identity
    /// column (kept so that a restored database never hands one out again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_id: Option<i64>,
}

/// A stored file of the backup, named by the SM3 of its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilePart {
    pub sm3: String,
    pub size: i64,
}

/// The audit chain's head: the last record's position and hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditHead {
    pub seq: i64,
    pub hash: String,
}

/// The last part of a backup: what the rest holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// The program that wrote it (`zwfw 0.1.0`).
    pub program: String,
    /// When the snapshot was taken (UTC milliseconds).
    pub created_at: i64,
    /// The engine it was taken on: `sqlite` or `postgres`.
    pub source: String,
    /// The last migration applied to the database.
    pub schema_version: i64,
    /// The migrations applied: version, name, checksum.
    pub migrations: Vec<(i64, String, String)>,
    /// The tables, in the order of the backup.
    pub tables: Vec<TablePart>,
    /// The stored files, in the order of the backup.
    pub files: Vec<FilePart>,
    /// Files the database lists that the file store did not have when the
    /// backup was taken (their SM3).
    #[serde(default)]
    pub missing_files: Vec<String>,
    /// The audit chain's head in the snapshot.
    pub audit: AuditHead,
}

impl Manifest {
    pub fn rows(&self) -> i64 {
        self.tables.iter().map(|t| t.rows).sum()
    }

    pub fn file_bytes(&self) -> i64 {
        self.files.iter().map(|f| f.size).sum()
    }
}

/// What reading a backup found, part by part, to compare with its manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found {
    pub tables: Vec<TablePart>,
    pub files: Vec<FilePart>,
    /// The row of table `audit_head`, when the backup holds one.
    pub audit: Option<AuditHead>,
}

/// How a backup disagrees with its own manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Defect {
    /// The header and the manifest disagree on the schema or the engine.
    Header(&'static str),
    /// The tables read are not the manifest's (names in order).
    Tables {
        found: Vec<String>,
        listed: Vec<String>,
    },
    Rows {
        table: String,
        found: i64,
        listed: i64,
    },
    Sm3 {
        table: String,
    },
    /// The files read are not the manifest's.
    Files {
        found: usize,
        listed: usize,
    },
    FileSize {
        sm3: String,
    },
    /// The audit head the manifest names is not the one in the rows.
    AuditHead,
}

impl std::fmt::Display for Defect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Defect::Header(what) => write!(f, "the header and the manifest differ on the {what}"),
            Defect::Tables { found, listed } => {
                write!(f, "tables read [{}], the manifest lists [{}]", found.join(", "), listed.join(", "))
            }
            Defect::Rows { table, found, listed } => {
                write!(f, "table {table}: {found} rows read, the manifest says {listed}")
            }
            Defect::Sm3 { table } => write!(f, "table {table}: the SM3 of its rows is not the manifest's"),
            Defect::Files { found, listed } => write!(f, "{found} files read, the manifest lists {listed}"),
            Defect::FileSize { sm3 } => write!(f, "file {sm3}: its size is not the manifest's"),
            Defect::AuditHead => f.write_str("the audit chain's head in the rows is not the manifest's"),
        }
    }
}

/// Checks what was read against the manifest, and the manifest against the
/// header (`schema_version`, `source`) that came first.
pub fn check(manifest: &Manifest, found: &Found, schema_version: i64, source: &str) -> Result<(), Defect> {
    if manifest.schema_version != schema_version {
        return Err(Defect::Header("schema version"));
    }
    if manifest.source != source {
        return Err(Defect::Header("database engine"));
    }
    if manifest.migrations.last().map(|m| m.0) != Some(manifest.schema_version) && !manifest.migrations.is_empty() {
        return Err(Defect::Header("schema version"));
    }
    let names = |t: &[TablePart]| t.iter().map(|t| t.name.clone()).collect::<Vec<_>>();
    if names(&found.tables) != names(&manifest.tables) {
        return Err(Defect::Tables { found: names(&found.tables), listed: names(&manifest.tables) });
    }
    for (f, m) in found.tables.iter().zip(&manifest.tables) {
        if f.rows != m.rows {
            return Err(Defect::Rows { table: m.name.clone(), found: f.rows, listed: m.rows });
        }
        if f.sm3 != m.sm3 {
            return Err(Defect::Sm3 { table: m.name.clone() });
        }
    }
    if found.files.len() != manifest.files.len() {
        return Err(Defect::Files { found: found.files.len(), listed: manifest.files.len() });
    }
    for (f, m) in found.files.iter().zip(&manifest.files) {
        if f.sm3 != m.sm3 {
            return Err(Defect::Files { found: found.files.len(), listed: manifest.files.len() });
        }
        if f.size != m.size {
            return Err(Defect::FileSize { sm3: m.sm3.clone() });
        }
    }
    if found.audit.as_ref().is_some_and(|h| h != &manifest.audit) {
        return Err(Defect::AuditHead);
    }
    Ok(())
}

/// Why this program cannot restore a backup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotRestorable {
    /// Written in a later format than this program reads.
    Format { backup: u32, known: u32 },
    /// Taken on a database migrated further than this program's migrations go.
    NewerSchema { backup: i64, known: i64 },
}

/// Whether a backup of `format` and `schema_version` can be restored by a
/// program whose migrations go up to `known_schema`.
pub fn restorable(format: u32, schema_version: i64, known_schema: i64) -> Result<(), NotRestorable> {
    if format > FORMAT {
        return Err(NotRestorable::Format { backup: format, known: FORMAT });
    }
    if schema_version > known_schema {
        return Err(NotRestorable::NewerSchema { backup: schema_version, known: known_schema });
    }
    Ok(())
}

/// The SM4 key a backup is encrypted with, derived from the master key
/// (HMAC-SM3, so that the master key itself seals nothing but the
/// licence keys), and the check value written in the backup's header that
/// tells a wrong key from a damaged file (16 hexadecimal digits; it reveals
/// nothing of the key).
pub fn backup_keys(master: &[u8; 16]) -> ([u8; 16], String) {
    let mac = |label: &[u8]| {
        let mut m = <Hmac<Sm3> as Mac>::new_from_slice(master).expect("HMAC takes any key length");
        m.update(label);
        m.finalize().into_bytes()
    };
    let enc = mac(b"zwfw-backup/1 encryption");
    let check = mac(b"zwfw-backup/1 key check");
    let mut key = [0u8; 16];
    key.copy_from_slice(&enc[..16]);
    (key, hex::encode(&check[..8]))
}

// ------------------------------------------------------------ schedule and drills

/// How long the newest good backup may be before continuity is in question:
/// a day's backup and two hours' grace.
pub const STALE_AFTER_MS: i64 = 26 * HOUR_MS;
/// How long past its period a restore drill may be before it counts as missing.
pub const DRILL_GRACE_MS: i64 = 2 * HOUR_MS;
const HOUR_MS: i64 = 3_600_000;

/// A period of the settings: a whole number and a unit, `90s`, `30m`,
/// `24h`, `7d`; `off` (or `0`) for none.
pub fn parse_period(text: &str) -> Result<Option<i64>, String> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("off") || t == "0" {
        return Ok(None);
    }
    let bad = || format!("{text:?} is not a period: a whole number and a unit (s, m, h, d), such as 24h or 7d, or off");
    match crate::time::period_ms(t) {
        Some(0) => Ok(None),
        Some(ms) if ms <= 366 * 24 * HOUR_MS => Ok(Some(ms)),
        _ => Err(bad()),
    }
}

/// Whether the next backup (or drill) is due at `now`: there is none yet,
/// or the last was started at least `every_ms` before.
pub fn due(last_at: Option<i64>, now: i64, every_ms: i64) -> bool {
    last_at.is_none_or(|t| now - t >= every_ms)
}

/// Of the backups kept in a directory, (id, when made), the ids of those
/// beyond the `keep` newest (at least one is always kept), oldest last.
pub fn beyond_kept(backups: &[(i64, i64)], keep: usize) -> Vec<i64> {
    let mut b = backups.to_vec();
    b.sort_by(|x, y| y.1.cmp(&x.1).then(y.0.cmp(&x.0)));
    b.into_iter().skip(keep.max(1)).map(|(id, _)| id).collect()
}

/// The file name of a backup the platform makes at `at_ms`, in Beijing
/// time so that the operator reads it: `zwfw-20261205-020000.zbak`.
pub fn file_name(at_ms: i64) -> String {
    let t = chrono::DateTime::from_timestamp_millis(at_ms).unwrap_or_default().with_timezone(&crate::time::shanghai());
    format!("zwfw-{}.zbak", t.format("%Y%m%d-%H%M%S"))
}

/// What the continuity checks read: the newest good backup and the drills.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Continuity {
    /// The newest successful backup: id and when it was made.
    pub newest_backup: Option<(i64, i64)>,
    /// The last restore drill: id, when, whether it passed.
    pub last_drill: Option<(i64, i64, bool)>,
    /// The last drill that passed: id and when.
    pub last_passed_drill: Option<(i64, i64)>,
    /// Since when backups are expected (the platform started keeping them).
    pub since: i64,
}

/// A lapse of continuity: what supervision reports (rule A10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lapse {
    /// No successful backup at all, for longer than [`STALE_AFTER_MS`].
    NoBackup { since: i64 },
    /// The newest successful backup (`id`, made `at`) is older than [`STALE_AFTER_MS`].
    Stale { id: i64, at: i64 },
    /// The last restore drill (`id`, run `at`) failed.
    DrillFailed { id: i64, at: i64 },
    /// No drill passed within the drill period and its grace; the last that
    /// passed, if any.
    NoDrillPassed { last: Option<(i64, i64)> },
}

impl Lapse {
    /// The key that makes one finding per lapse: a new backup or drill
    /// that lapses again is a new finding.
    pub fn key(&self) -> String {
        match self {
            Lapse::NoBackup { .. } => "backup:none".into(),
            Lapse::Stale { id, .. } => format!("backup:stale:{id}"),
            Lapse::DrillFailed { id, .. } => format!("drill:failed:{id}"),
            Lapse::NoDrillPassed { last } => format!("drill:missing:{}", last.map_or(0, |l| l.0)),
        }
    }

    /// The backup or drill the lapse is about (0: none).
    pub fn object_id(&self) -> i64 {
        match self {
            Lapse::NoBackup { .. } | Lapse::NoDrillPassed { last: None } => 0,
            Lapse::Stale { id, .. } | Lapse::DrillFailed { id, .. } | Lapse::NoDrillPassed { last: Some((id, _)) } => {
                *id
            }
        }
    }
}

/// The lapses of continuity at `now`: no good backup for 26 hours; with
/// drills (every `drill_every_ms`), the last drill failed, or none passed
/// in its period (and two hours' grace).
pub fn lapses(c: &Continuity, now: i64, drill_every_ms: Option<i64>) -> Vec<Lapse> {
    let mut out = vec![];
    match c.newest_backup {
        None if now - c.since > STALE_AFTER_MS => out.push(Lapse::NoBackup { since: c.since }),
        Some((id, at)) if now - at > STALE_AFTER_MS => out.push(Lapse::Stale { id, at }),
        _ => {}
    }
    if let Some(every) = drill_every_ms {
        if let Some((id, at, false)) = c.last_drill {
            out.push(Lapse::DrillFailed { id, at });
        }
        let since = c.last_passed_drill.map_or(c.since, |d| d.1);
        if now - since > every + DRILL_GRACE_MS {
            out.push(Lapse::NoDrillPassed { last: c.last_passed_drill });
        }
    }
    out
}

/// Whether the backups made on the schedule are encrypted: as `[backup]
/// encrypt` says, and when it says nothing, whenever a master key is
/// configured.
pub fn encrypts(configured: Option<bool>, master_key: bool) -> bool {
    configured.unwrap_or(master_key)
}

/// Whether the operators must be told plainly that backups are not
/// encrypted: nothing was configured, there is no master key to encrypt
/// under, and this is not a demonstration. An explicit `encrypt = false` is
/// a decision and is honoured silently.
pub fn warns_unencrypted(configured: Option<bool>, master_key: bool, demo: bool) -> bool {
    configured.is_none() && !master_key && !demo
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backups_are_encrypted_by_default_when_a_master_key_exists() {
        assert!(encrypts(None, true));
        assert!(!encrypts(None, false));
        assert!(!encrypts(Some(false), true));
        assert!(encrypts(Some(true), false));
        assert!(warns_unencrypted(None, false, false));
        assert!(!warns_unencrypted(None, false, true), "the demo says nothing");
        assert!(!warns_unencrypted(Some(false), false, false), "an explicit choice is honoured");
        assert!(!warns_unencrypted(None, true, false));
    }

    fn manifest() -> Manifest {
        Manifest {
            format: FORMAT,
            program: "zwfw 0.1.0".into(),
            created_at: 0,
            source: "sqlite".into(),
            schema_version: 2,
            migrations: vec![(1, "a".into(), "x".into()), (2, "b".into(), "y".into())],
            tables: vec![
                TablePart { name: "audit_head".into(), rows: 1, sm3: "h".into(), last_id: None },
                TablePart { name: "users".into(), rows: 3, sm3: "u".into(), last_id: Some(4) },
            ],
            files: vec![FilePart { sm3: "f".into(), size: 10 }],
            missing_files: vec![],
            audit: AuditHead { seq: 7, hash: "c".into() },
        }
    }

    fn found(m: &Manifest) -> Found {
        Found { tables: m.tables.clone(), files: m.files.clone(), audit: Some(m.audit.clone()) }
    }

    #[test]
    fn what_was_read_must_be_what_the_manifest_lists() {
        let m = manifest();
        assert_eq!(check(&m, &found(&m), 2, "sqlite"), Ok(()));
        assert_eq!(check(&m, &found(&m), 3, "sqlite"), Err(Defect::Header("schema version")));
        assert_eq!(check(&m, &found(&m), 2, "postgres"), Err(Defect::Header("database engine")));
        let mut f = found(&m);
        f.tables[1].rows = 2;
        assert_eq!(check(&m, &f, 2, "sqlite"), Err(Defect::Rows { table: "users".into(), found: 2, listed: 3 }));
        let mut f = found(&m);
        f.tables[1].sm3 = "other".into();
        assert_eq!(check(&m, &f, 2, "sqlite"), Err(Defect::Sm3 { table: "users".into() }));
        let mut f = found(&m);
        f.tables.pop();
        assert!(matches!(check(&m, &f, 2, "sqlite"), Err(Defect::Tables { .. })));
        let mut f = found(&m);
        f.files.clear();
        assert_eq!(check(&m, &f, 2, "sqlite"), Err(Defect::Files { found: 0, listed: 1 }));
        let mut f = found(&m);
        f.files[0].size = 11;
        assert_eq!(check(&m, &f, 2, "sqlite"), Err(Defect::FileSize { sm3: "f".into() }));
        let mut f = found(&m);
        f.audit = Some(AuditHead { seq: 6, hash: "b".into() });
        assert_eq!(check(&m, &f, 2, "sqlite"), Err(Defect::AuditHead));
    }

    #[test]
    fn a_newer_format_or_schema_is_not_restorable() {
        assert_eq!(restorable(FORMAT, 30, 30), Ok(()));
        assert_eq!(restorable(FORMAT, 12, 30), Ok(()));
        assert_eq!(restorable(FORMAT, 31, 30), Err(NotRestorable::NewerSchema { backup: 31, known: 30 }));
        assert_eq!(restorable(FORMAT + 1, 1, 30), Err(NotRestorable::Format { backup: FORMAT + 1, known: FORMAT }));
    }

    #[test]
    fn keys_depend_on_the_master_key_and_differ_from_it() {
        let (k1, c1) = backup_keys(&[1u8; 16]);
        let (k2, c2) = backup_keys(&[2u8; 16]);
        assert_ne!(k1, k2);
        assert_ne!(c1, c2);
        assert_ne!(k1, [1u8; 16]);
        assert_eq!(c1.len(), 16);
        assert_eq!(backup_keys(&[1u8; 16]), (k1, c1));
    }
    #[test]
    fn periods_read_with_their_unit() {
        assert_eq!(parse_period("24h"), Ok(Some(86_400_000)));
        assert_eq!(parse_period(" 7d "), Ok(Some(7 * 86_400_000)));
        assert_eq!(parse_period("30m"), Ok(Some(1_800_000)));
        assert_eq!(parse_period("90s"), Ok(Some(90_000)));
        assert_eq!(parse_period("off"), Ok(None));
        assert_eq!(parse_period("0"), Ok(None));
        for bad in ["", "h", "24", "1.5h", "-1h", "24 h", "3w", "99999999999d"] {
            assert!(parse_period(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn due_pruned_and_named() {
        assert!(due(None, 0, 10));
        assert!(!due(Some(100), 109, 10));
        assert!(due(Some(100), 110, 10));
        let kept = [(1, 100), (2, 300), (3, 200), (4, 400)];
        assert_eq!(beyond_kept(&kept, 2), vec![3, 1], "the two newest stay");
        assert_eq!(beyond_kept(&kept, 0), vec![2, 3, 1], "one is always kept");
        assert!(beyond_kept(&kept, 9).is_empty());
        // 2026-12-05T02:00:00+08:00
        assert_eq!(file_name(1_796_407_200_000), "zwfw-20261205-020000.zbak");
    }

    #[test]
    fn lapses_of_continuity() {
        const H: i64 = 3_600_000;
        let week = Some(7 * 24 * H);
        let c = Continuity { since: 0, ..Default::default() };
        assert!(lapses(&c, 26 * H, None).is_empty(), "26 hours without a backup are allowed");
        assert_eq!(lapses(&c, 26 * H + 1, None), vec![Lapse::NoBackup { since: 0 }]);
        let c = Continuity {
            newest_backup: Some((5, 10 * H)),
            last_drill: Some((2, 11 * H, true)),
            last_passed_drill: Some((2, 11 * H)),
            since: 0,
        };
        assert!(lapses(&c, 36 * H, week).is_empty());
        let l = lapses(&c, 36 * H + 1, week);
        assert_eq!(l, vec![Lapse::Stale { id: 5, at: 10 * H }]);
        assert_eq!((l[0].key(), l[0].object_id()), ("backup:stale:5".to_string(), 5));
        // A failed drill, then none passed in the week and its grace.
        let failed = Continuity { last_drill: Some((3, 12 * H, false)), ..c.clone() };
        assert_eq!(lapses(&failed, 13 * H, week), vec![Lapse::DrillFailed { id: 3, at: 12 * H }]);
        assert_eq!(lapses(&failed, 13 * H, None), vec![], "no drills configured: not watched");
        let late = lapses(&failed, 11 * H + 7 * 24 * H + 2 * H + 1, week);
        assert!(late.contains(&Lapse::NoDrillPassed { last: Some((2, 11 * H)) }), "{late:?}");
        assert_eq!(Lapse::NoDrillPassed { last: Some((2, 11 * H)) }.key(), "drill:missing:2");
    }
}
