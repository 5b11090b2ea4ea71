//! Backups: one file holding a consistent snapshot of the database and
//! every stored file, with a manifest, optionally encrypted with SM4-GCM
//! under a key derived from the master key; its verification without
//! restoring; and the restore into an empty database and data directory,
//! on either engine, checked before it is committed.
//!
//! The rows are written database-neutrally (typed JSON lines, see
//! [`format`]), so a backup taken on SQLite restores into PostgreSQL and the
//! reverse.

pub mod format;
pub mod schedule;

use crate::error::{AppError, AppResult, Kind};
use crate::licenses::MasterKey;
use crate::state::Ctx;
use format::{ChunkReader, ChunkWriter, Fault, Header};
use serde_json::json;
use sm3::{Digest, Sm3};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use zwfw_domain::backup::{self as rules, AuditHead, FilePart, Found, Manifest, TablePart};
use zwfw_store::backup::{self as store, ColType, Column, Sink, Stop, Table};
use zwfw_store::db::Value;

/// The error codes of the area.
pub mod codes {
    /// The output file exists already.
    pub const EXISTS: &str = "backup_exists";
    /// Reading or writing a file failed (detail: the system's reason).
    pub const IO: &str = "backup_io";
    /// Encryption asked for, or an encrypted backup read, without a master key.
    pub const KEY_MISSING: &str = "backup_key_missing";
    /// The backup was encrypted with another key.
    pub const WRONG_KEY: &str = "backup_wrong_key";
    /// Not a backup of this program.
    pub const NOT_BACKUP: &str = "backup_not_a_backup";
    /// The file ends before its end.
    pub const TRUNCATED: &str = "backup_truncated";
    /// Some bytes of the file are not what was written (detail: where).
    pub const DAMAGED: &str = "backup_damaged";
    /// Made by a newer program (detail: its schema and ours).
    pub const NEWER: &str = "backup_newer_schema";
    /// A value of the database does not have its column's type (detail: table.column).
    pub const VALUE_TYPE: &str = "backup_value_type";
    /// A stored file listed by the database is damaged (detail: its SM3).
    pub const STORED_FILE: &str = "backup_stored_file_damaged";
    /// The schema changed while the backup was taken.
    pub const SCHEMA_CHANGED: &str = "backup_schema_changed";
    /// The backup's tables or columns are not those of the schema at its version (detail).
    pub const STRUCTURE: &str = "backup_structure";
    /// The restore target is not empty (detail: what it holds).
    pub const NOT_EMPTY: &str = "restore_target_not_empty";
    /// The restored database did not pass the checks (detail: which); nothing was kept.
    pub const CHECK_FAILED: &str = "restore_check_failed";
    /// No backup directory is configured (`[backup]`).
    pub const NOT_CONFIGURED: &str = "backup_not_configured";
    /// A backup or a restore drill is being made already.
    pub const RUNNING: &str = "backup_running";
    /// A restore drill found no backup to restore.
    pub const NO_BACKUP: &str = "drill_no_backup";
}

fn refused(code: &'static str, detail: impl Into<String>) -> AppError {
    AppError::with_detail(Kind::Invalid, code, detail)
}

fn io_error(what: &str, e: &std::io::Error) -> AppError {
    AppError::with_detail(Kind::Unavailable, codes::IO, format!("{what}: {e}"))
}

fn fault_error(f: Fault) -> AppError {
    match f {
        Fault::NotBackup(why) => refused(codes::NOT_BACKUP, why),
        Fault::Truncated => AppError::new(Kind::Invalid, codes::TRUNCATED),
        Fault::Damaged(at) => refused(codes::DAMAGED, at),
        Fault::KeyMissing => AppError::new(Kind::Invalid, codes::KEY_MISSING),
        Fault::WrongKey => AppError::new(Kind::Invalid, codes::WRONG_KEY),
        Fault::Io(e) => io_error("reading the backup", &e),
    }
}

/// The SM4 key and its check value for `master`.
fn keys(master: &MasterKey) -> ([u8; 16], String) {
    rules::backup_keys(master.bytes())
}

fn program() -> String {
    format!("zwfw {}", env!("CARGO_PKG_VERSION"))
}

// ------------------------------------------------------------ the rows

/// A row as a JSON array on one line: integers and reals as numbers (a
/// real always with a point or an exponent), texts as strings, blobs as
/// `{"b": base64}`.
fn encode_row(out: &mut Vec<u8>, values: &[Value]) {
    out.push(b'[');
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match v {
            Value::Null(_) => out.extend_from_slice(b"null"),
            Value::Int(n) => {
                let _ = write!(out, "{n}");
            }
            Value::Real(f) => {
                let _ = serde_json::to_writer(&mut *out, f);
            }
            Value::Text(s) => {
                let _ = serde_json::to_writer(&mut *out, s);
            }
            Value::Blob(b) => {
                out.extend_from_slice(b"{\"b\":\"");
                out.extend_from_slice(data_encoding::BASE64.encode(b).as_bytes());
                out.extend_from_slice(b"\"}");
            }
        }
    }
    out.extend_from_slice(b"]\n");
}

/// Whether `v` may be stored in a column of type `ty` on either engine.
fn fits(v: &Value, ty: ColType) -> bool {
    matches!(
        (v, ty),
        (Value::Null(_), _)
            | (Value::Int(_), ColType::Int | ColType::Real)
            | (Value::Real(_), ColType::Real)
            | (Value::Text(_), ColType::Text)
            | (Value::Blob(_), ColType::Blob)
    )
}

/// A row read back: its values in the types of `columns`, or `None` when
/// one does not fit.
fn decode_row(line: &[u8], columns: &[Column]) -> Option<Vec<Value>> {
    let items: Vec<serde_json::Value> = serde_json::from_slice(line).ok()?;
    if items.len() != columns.len() {
        return None;
    }
    let mut out = Vec::with_capacity(items.len());
    for (item, col) in items.into_iter().zip(columns) {
        let kind = col.ty.kind();
        out.push(match (item, col.ty) {
            (serde_json::Value::Null, _) => Value::Null(kind),
            (serde_json::Value::Number(n), ColType::Int) => Value::Int(n.as_i64().filter(|_| !n.is_f64())?),
            (serde_json::Value::Number(n), ColType::Real) => Value::Real(n.as_f64()?),
            (serde_json::Value::String(s), ColType::Text) => Value::Text(s),
            (serde_json::Value::Object(o), ColType::Blob) => {
                let b = o.get("b")?.as_str()?;
                Value::Blob(data_encoding::BASE64.decode(b.as_bytes()).ok()?)
            }
            _ => return None,
        });
    }
    Some(out)
}

#[derive(serde::Serialize, serde::Deserialize)]
struct TableFrame {
    name: String,
    columns: Vec<Column>,
    /// The column the source database numbered itself: an engine's own
    /// numbering (PostgreSQL's `case_events.id`, which SQLite's table does
    /// not have) is left out where the target has no such column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    identity: Option<String>,
}

// ------------------------------------------------------------ create

type Out = flate2::write::DeflateEncoder<ChunkWriter<std::io::BufWriter<std::fs::File>>>;

/// Rows gathered before they are written as one frame.
const ROWS_FRAME: usize = 256 * 1024;
/// The bytes of a stored file per frame.
const FILE_FRAME: usize = 1 << 20;

struct Writing {
    table: Table,
    rows: i64,
    hash: Sm3,
    buf: Vec<u8>,
}

/// The sink the snapshot's rows go to: frames into the deflate stream.
struct BackupSink {
    out: Out,
    error: Option<AppError>,
    current: Option<Writing>,
    tables: Vec<TablePart>,
    /// The stored files the database lists: SM3 and size.
    files: Vec<(String, i64)>,
    audit: Option<AuditHead>,
}

impl BackupSink {
    fn fail(&mut self, e: AppError) -> Stop {
        self.error.get_or_insert(e);
        Stop
    }

    fn frame(&mut self, ty: u8, payload: &[u8]) -> Result<(), Stop> {
        format::write_frame(&mut self.out, ty, payload).map_err(|e| {
            let e = io_error("writing the backup", &e);
            self.fail(e)
        })
    }

    fn flush_rows(&mut self) -> Result<(), Stop> {
        let Some(w) = self.current.as_mut() else { return Ok(()) };
        if w.buf.is_empty() {
            return Ok(());
        }
        let buf = std::mem::take(&mut w.buf);
        self.frame(format::FRAME_ROWS, &buf)
    }

    fn end_table(&mut self) -> Result<(), Stop> {
        self.flush_rows()?;
        if let Some(w) = self.current.take() {
            self.tables.push(TablePart {
                name: w.table.name,
                rows: w.rows,
                sm3: hex::encode(w.hash.finalize()),
                last_id: None,
            });
        }
        Ok(())
    }
}

fn column_index(t: &Table, name: &str) -> Option<usize> {
    t.columns.iter().position(|c| c.name == name)
}

impl Sink for BackupSink {
    fn table(&mut self, table: &Table) -> Result<(), Stop> {
        self.end_table()?;
        let frame = serde_json::to_vec(&TableFrame {
            name: table.name.clone(),
            columns: table.columns.clone(),
            identity: table.identity.clone(),
        })
        .expect("a table frame serializes");
        self.frame(format::FRAME_TABLE, &frame)?;
        self.current = Some(Writing { table: table.clone(), rows: 0, hash: Sm3::new(), buf: Vec::new() });
        Ok(())
    }

    fn row(&mut self, values: &[Value]) -> Result<(), Stop> {
        let Some(w) = self.current.as_mut() else { return Err(Stop) };
        if let Some((v, c)) = values.iter().zip(&w.table.columns).find(|(v, c)| !fits(v, c.ty)) {
            let detail = format!("{}.{} = {v:?}", w.table.name, c.name);
            return Err(self.fail(refused(codes::VALUE_TYPE, detail)));
        }
        let start = w.buf.len();
        encode_row(&mut w.buf, values);
        w.hash.update(&w.buf[start..]);
        w.rows += 1;
        let t = &w.table;
        let int = |name: &str| {
            column_index(t, name).and_then(|i| match &values[i] {
                Value::Int(n) => Some(*n),
                _ => None,
            })
        };
        let text = |name: &str| {
            column_index(t, name).and_then(|i| match &values[i] {
                Value::Text(s) => Some(s.clone()),
                _ => None,
            })
        };
        match t.name.as_str() {
            "files" => {
                if let (Some(sm3), Some(size)) = (text("sm3"), int("size")) {
                    self.files.push((sm3, size));
                }
            }
            "audit_head" => {
                if let (Some(seq), Some(hash)) = (int("seq"), text("hash")) {
                    self.audit = Some(AuditHead { seq, hash });
                }
            }
            _ => {}
        }
        if w.buf.len() >= ROWS_FRAME {
            self.flush_rows()?;
        }
        Ok(())
    }
}

/// What a backup holds and where it went.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Created {
    pub path: PathBuf,
    /// The file's size in bytes and its SM3.
    pub size: u64,
    pub sm3: String,
    pub encrypted: bool,
    pub manifest: ManifestSummary,
    /// How long it took.
    pub millis: u128,
}

/// A manifest in figures.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ManifestSummary {
    pub created_at: i64,
    pub source: String,
    pub schema_version: i64,
    pub tables: usize,
    pub rows: i64,
    pub files: usize,
    pub file_bytes: i64,
    pub missing_files: Vec<String>,
    pub audit_seq: i64,
    pub audit_hash: String,
    /// Rows of the largest tables (name, rows), most first.
    pub largest: Vec<(String, i64)>,
}

impl ManifestSummary {
    fn of(m: &Manifest) -> ManifestSummary {
        let mut largest: Vec<(String, i64)> = m.tables.iter().map(|t| (t.name.clone(), t.rows)).collect();
        largest.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        largest.truncate(5);
        ManifestSummary {
            created_at: m.created_at,
            source: m.source.clone(),
            schema_version: m.schema_version,
            tables: m.tables.len(),
            rows: m.rows(),
            files: m.files.len(),
            file_bytes: m.file_bytes(),
            missing_files: m.missing_files.clone(),
            audit_seq: m.audit.seq,
            audit_hash: m.audit.hash.clone(),
            largest,
        }
    }
}

fn source_name(b: zwfw_store::Backend) -> &'static str {
    match b {
        zwfw_store::Backend::Sqlite => "sqlite",
        zwfw_store::Backend::Postgres => "postgres",
    }
}

/// The part of the file being written, removed unless it is finished.
struct Partial(Option<PathBuf>);

impl Drop for Partial {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Writes a backup of the database and the file store to `out` (which must
/// not exist), encrypted when `encrypt` (the master key must be
/// configured). The database stays in use meanwhile. Audited.
pub async fn create(ctx: &Ctx<'_>, out: &Path, encrypt: bool) -> AppResult<Created> {
    let started = std::time::Instant::now();
    let st = ctx.state;
    let key = match (encrypt, &st.config.licenses.master_key) {
        (false, _) => None,
        (true, Some(m)) => Some(keys(m)),
        (true, None) => return Err(AppError::new(Kind::Invalid, codes::KEY_MISSING)),
    };
    if out.exists() {
        return Err(refused(codes::EXISTS, out.display().to_string()));
    }
    let file_name = out.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_else(|| "backup".into());
    let tmp = out.with_file_name(format!(".{file_name}.{}.partial", std::process::id()));
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .map_err(|e| io_error(&format!("creating {}", tmp.display()), &e))?;
    let mut partial = Partial(Some(tmp.clone()));
    let created_at = st.now_ms();
    let applied = store::schema_version(&st.store).await?;
    let nonce = {
        use rand::RngCore;
        let mut n = [0u8; 8];
        rand::rngs::OsRng.fill_bytes(&mut n);
        n
    };
    let header = Header {
        format: rules::FORMAT,
        program: program(),
        created_at,
        source: source_name(st.store.backend()).into(),
        schema_version: applied,
        compression: "deflate".into(),
        encryption: if key.is_some() { "sm4-gcm" } else { "none" }.into(),
        key_check: key.as_ref().map(|(_, c)| c.clone()),
        nonce: key.as_ref().map(|_| hex::encode(nonce)),
    };
    let chunks =
        ChunkWriter::new(std::io::BufWriter::with_capacity(1 << 20, file), &header, key.as_ref().map(|(k, _)| k))
            .map_err(|e| io_error("writing the backup", &e))?;
    let sink = BackupSink {
        out: flate2::write::DeflateEncoder::new(chunks, flate2::Compression::new(3)),
        error: None,
        current: None,
        tables: vec![],
        files: vec![],
        audit: None,
    };
    let (snap, mut sink) = store::snapshot(&st.store, sink).await;
    if let Some(e) = sink.error.take() {
        return Err(e);
    }
    let snap = snap?;
    sink.end_table().map_err(|_| sink.error.take().unwrap_or_else(|| AppError::Internal("backup sink".into())))?;
    let schema_version = snap.migrations.last().map_or(0, |m| m.0);
    if schema_version != applied {
        return Err(AppError::with_detail(
            Kind::Conflict,
            codes::SCHEMA_CHANGED,
            format!("{applied} → {schema_version}"),
        ));
    }
    for part in sink.tables.iter_mut() {
        part.last_id = snap.last_ids.iter().find(|(t, _)| t == &part.name).map(|(_, n)| *n);
    }
    // The stored files: named by their SM3, never changed or removed, so
    // reading them after the snapshot reads what it listed.
    let BackupSink { out: mut stream, tables, files, audit, .. } = sink;
    let mut parts = Vec::with_capacity(files.len());
    let mut missing = vec![];
    let mut buf = vec![0u8; FILE_FRAME];
    let werr = |e: std::io::Error| io_error("writing the backup", &e);
    for (sm3, size) in files {
        let Some(path) = st.files.path_of(&sm3) else {
            return Err(refused(codes::STORED_FILE, sm3));
        };
        if !path.exists() {
            // PostgreSQL keeps every file's bytes: one this server has not
            // read yet is fetched into its directory first.
            if let Some(bytes) = zwfw_store::files::get_blob(&st.store, &sm3).await? {
                if zwfw_domain::audit::sm3_hex(&bytes) != sm3 {
                    return Err(refused(codes::STORED_FILE, sm3));
                }
                st.files.put(&bytes).map_err(|e| io_error("writing a stored file", &e))?;
            }
        }
        let mut f = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                tracing::warn!(sm3 = %sm3, "a stored file the database lists is missing; the backup goes on without it");
                missing.push(sm3);
                continue;
            }
            Err(e) => return Err(io_error(&format!("reading {}", path.display()), &e)),
        };
        let head = serde_json::to_vec(&FilePart { sm3: sm3.clone(), size }).expect("a file frame serializes");
        format::write_frame(&mut stream, format::FRAME_FILE, &head).map_err(werr)?;
        let mut hash = Sm3::new();
        let mut total = 0i64;
        loop {
            let n = f.read(&mut buf).map_err(|e| io_error(&format!("reading {}", path.display()), &e))?;
            if n == 0 {
                break;
            }
            hash.update(&buf[..n]);
            total += n as i64;
            format::write_frame(&mut stream, format::FRAME_DATA, &buf[..n]).map_err(werr)?;
        }
        if hex::encode(hash.finalize()) != sm3 || total != size {
            return Err(refused(codes::STORED_FILE, sm3));
        }
        parts.push(FilePart { sm3, size });
    }
    let manifest = Manifest {
        format: rules::FORMAT,
        program: program(),
        created_at,
        source: header.source.clone(),
        schema_version,
        migrations: snap.migrations.clone(),
        tables,
        files: parts,
        missing_files: missing,
        audit: audit.unwrap_or(AuditHead { seq: 0, hash: zwfw_domain::audit::GENESIS_HASH.into() }),
    };
    let m = serde_json::to_vec(&manifest).expect("a manifest serializes");
    format::write_frame(&mut stream, format::FRAME_MANIFEST, &m).map_err(werr)?;
    let chunks = stream.finish().map_err(werr)?;
    let written = chunks.finish().map_err(werr)?;
    let file = written.out.into_inner().map_err(|e| werr(e.into_error()))?;
    file.sync_all().map_err(werr)?;
    drop(file);
    if out.exists() {
        return Err(refused(codes::EXISTS, out.display().to_string()));
    }
    std::fs::rename(&tmp, out).map_err(|e| io_error(&format!("renaming to {}", out.display()), &e))?;
    partial.0 = None;
    let created = Created {
        path: out.to_path_buf(),
        size: written.size,
        sm3: written.sm3,
        encrypted: key.is_some(),
        manifest: ManifestSummary::of(&manifest),
        millis: started.elapsed().as_millis(),
    };
    let detail = json!({
        "path": created.path.display().to_string(),
        "sm3": created.sm3,
        "size": created.size,
        "encrypted": created.encrypted,
        "schema_version": schema_version,
        "rows": created.manifest.rows,
        "files": created.manifest.files,
        "audit_seq": created.manifest.audit_seq,
    });
    ctx.audit_alone(ctx.entry("backup_created", "backup", &created.sm3[..16], detail, "")).await?;
    zwfw_store::audit::seal(&st.store).await?;
    Ok(created)
}

// ------------------------------------------------------------ read

/// What reading a backup hands on, when restoring.
enum Event {
    Table(TableFrame),
    Rows(Vec<Vec<Value>>),
    File(String, Vec<u8>),
}

/// What was read, part by part.
struct Reading {
    found: Found,
    table: Option<(TableFrame, Sm3, i64)>,
    file: Option<(FilePart, Sm3, i64, Vec<u8>)>,
}

/// Reads the whole backup at `path`, checking everything it can without a
/// database: the file's SM3 and the chunks (with the key when encrypted),
/// the frames' order, each row against its columns, each part against the
/// manifest. With `emit`, hands the tables, rows and files on; `emit`
/// returns false to stop.
fn read_backup(
    path: &Path,
    master: Option<&MasterKey>,
    mut emit: Option<&mut dyn FnMut(Event) -> bool>,
) -> AppResult<(Header, Manifest)> {
    let open = || {
        std::fs::File::open(path)
            .map(|f| std::io::BufReader::with_capacity(1 << 20, f))
            .map_err(|e| io_error(&format!("opening {}", path.display()), &e))
    };
    let (header, _) = format::read_header(&mut open()?).map_err(fault_error)?;
    if let Err(e) = rules::restorable(header.format, header.schema_version, store::program_schema_version()) {
        let detail = match e {
            rules::NotRestorable::Format { backup, known } => format!("format {backup} > {known}"),
            rules::NotRestorable::NewerSchema { backup, known } => format!("{backup} > {known}"),
        };
        return Err(refused(codes::NEWER, detail));
    }
    let keys = master.map(keys);
    let reader = match ChunkReader::open(open()?, keys.as_ref().map(|(k, c)| (k, c.as_str()))) {
        Ok(r) if r.header.encrypted() && keys.is_none() => {
            // Whether the file is intact first: a damaged file is told as such.
            r.check_only().map_err(fault_error)?;
            return Err(AppError::new(Kind::Invalid, codes::KEY_MISSING));
        }
        Ok(r) => r,
        Err(Fault::WrongKey) => {
            ChunkReader::open(open()?, None).map_err(fault_error)?.check_only().map_err(fault_error)?;
            return Err(AppError::new(Kind::Invalid, codes::WRONG_KEY));
        }
        Err(f) => return Err(fault_error(f)),
    };
    let mut inflate = flate2::read::DeflateDecoder::new(reader);
    let damaged = |at: &str| refused(codes::DAMAGED, at.to_string());
    let mut r = Reading { found: Found::default(), table: None, file: None };
    let mut manifest: Option<Manifest> = None;
    let mut stop = false;
    loop {
        let frame = match format::read_frame(&mut inflate) {
            Ok(f) => f,
            Err(e) => {
                return Err(match inflate.get_mut().fault() {
                    Some(f) => fault_error(f),
                    None => damaged(&format!("compressed data: {e}")),
                })
            }
        };
        let Some((ty, payload)) = frame else { break };
        if manifest.is_some() {
            return Err(damaged("a part after the manifest"));
        }
        if ty != format::FRAME_ROWS {
            end_table(&mut r);
        }
        if ty != format::FRAME_DATA {
            end_file(&mut r, &mut emit, &mut stop)?;
        }
        match ty {
            format::FRAME_TABLE => {
                let t: TableFrame = serde_json::from_slice(&payload).map_err(|_| damaged("a table's header"))?;
                if let Some(e) = emit.as_mut() {
                    stop |= !e(Event::Table(TableFrame {
                        name: t.name.clone(),
                        columns: t.columns.clone(),
                        identity: t.identity.clone(),
                    }));
                }
                r.table = Some((t, Sm3::new(), 0));
            }
            format::FRAME_ROWS => {
                let Some((t, hash, n)) = r.table.as_mut() else { return Err(damaged("rows outside a table")) };
                if payload.last() != Some(&b'\n') {
                    return Err(damaged(&format!("table {}", t.name)));
                }
                hash.update(&payload);
                let mut rows = Vec::new();
                for line in payload[..payload.len() - 1].split(|b| *b == b'\n') {
                    *n += 1;
                    let values =
                        decode_row(line, &t.columns).ok_or_else(|| damaged(&format!("table {} row {}", t.name, *n)))?;
                    if t.name == "audit_head" {
                        let pick = |c: &str| t.columns.iter().position(|x| x.name == c).map(|i| &values[i]);
                        if let (Some(Value::Int(seq)), Some(Value::Text(hash))) = (pick("seq"), pick("hash")) {
                            r.found.audit = Some(AuditHead { seq: *seq, hash: hash.clone() });
                        }
                    }
                    rows.push(values);
                }
                if let Some(e) = emit.as_mut() {
                    stop |= !e(Event::Rows(rows));
                }
            }
            format::FRAME_FILE => {
                let f: FilePart = serde_json::from_slice(&payload).map_err(|_| damaged("a file's header"))?;
                r.file = Some((f, Sm3::new(), 0, vec![]));
            }
            format::FRAME_DATA => {
                let Some((_, hash, n, bytes)) = r.file.as_mut() else { return Err(damaged("data outside a file")) };
                hash.update(&payload);
                *n += payload.len() as i64;
                if emit.is_some() {
                    bytes.extend_from_slice(&payload);
                }
            }
            format::FRAME_MANIFEST => {
                manifest = Some(serde_json::from_slice(&payload).map_err(|_| damaged("the manifest"))?);
            }
            _ => return Err(damaged("an unknown part")),
        }
        if stop {
            return Err(AppError::Internal("reading the backup was stopped".into()));
        }
    }
    // The deflate stream ended: the chunks must end with it, and the file's SM3 hold.
    let mut reader = inflate.into_inner();
    let mut rest = Vec::new();
    match reader.read_to_end(&mut rest) {
        Ok(_) if rest.is_empty() => {}
        Ok(_) => return Err(damaged("data after the compressed stream")),
        Err(e) => {
            return Err(match reader.fault() {
                Some(f) => fault_error(f),
                None => io_error("reading the backup", &e),
            })
        }
    }
    let Some(manifest) = manifest else { return Err(AppError::new(Kind::Invalid, codes::TRUNCATED)) };
    rules::check(&manifest, &r.found, reader.header.schema_version, &reader.header.source)
        .map_err(|d| damaged(&d.to_string()))?;
    if manifest.format != header.format {
        return Err(damaged("the header and the manifest differ on the format"));
    }
    Ok((reader.header, manifest))
}

fn end_table(r: &mut Reading) {
    if let Some((t, hash, n)) = r.table.take() {
        r.found.tables.push(TablePart { name: t.name, rows: n, sm3: hex::encode(hash.finalize()), last_id: None });
    }
}

fn end_file(r: &mut Reading, emit: &mut Option<&mut dyn FnMut(Event) -> bool>, stop: &mut bool) -> AppResult<()> {
    if let Some((f, hash, n, bytes)) = r.file.take() {
        if hex::encode(hash.finalize()) != f.sm3 || n != f.size {
            return Err(refused(codes::DAMAGED, format!("file {}", f.sm3)));
        }
        if let Some(e) = emit.as_mut() {
            *stop |= !e(Event::File(f.sm3.clone(), bytes));
        }
        r.found.files.push(f);
    }
    Ok(())
}

/// What verifying a backup found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Verified {
    pub program: String,
    pub encrypted: bool,
    pub size: u64,
    pub manifest: ManifestSummary,
    /// The manifest's tables and files, each with its SM3.
    pub tables: Vec<TablePart>,
    pub files: Vec<FilePart>,
    pub millis: u128,
}

/// Checks the backup at `path` without restoring it: the file's SM3 and
/// structure, every part against the manifest, and with an encrypted
/// backup the key (`master`). Refuses a backup this program could not restore.
pub async fn verify(path: &Path, master: Option<&MasterKey>) -> AppResult<Verified> {
    let started = std::time::Instant::now();
    let path = path.to_path_buf();
    let master = master.cloned();
    let size = std::fs::metadata(&path).map_err(|e| io_error(&format!("opening {}", path.display()), &e))?.len();
    let (header, manifest) = tokio::task::spawn_blocking(move || read_backup(&path, master.as_ref(), None))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    Ok(Verified {
        program: manifest.program.clone(),
        encrypted: header.encrypted(),
        size,
        manifest: ManifestSummary::of(&manifest),
        tables: manifest.tables,
        files: manifest.files,
        millis: started.elapsed().as_millis(),
    })
}

// ------------------------------------------------------------ restore

/// What a restore did and checked.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RestoredSummary {
    pub manifest: ManifestSummary,
    pub audit_checked: i64,
    /// Migrations applied after the load (the backup's schema was older).
    pub migrated_after: Vec<i64>,
    pub millis: u128,
}

/// Whether a directory holds anything.
fn holds_anything(dir: &Path) -> std::io::Result<bool> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_some()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// Restores the backup at `path` into the database and file store of
/// `ctx`, which must both be empty: migrates the database to the backup's
/// schema, loads every row and file, then checks that every table holds
/// the rows the manifest counts, that the audit chain verifies and ends at
/// the manifest's head, migrates on to the current schema and checks it is
/// current, and only then commits. On any failure nothing is kept: the
/// transaction is rolled back and the files written are removed. Audited
/// in the restored trail.
pub async fn restore(ctx: &Ctx<'_>, path: &Path) -> AppResult<RestoredSummary> {
    let started = std::time::Instant::now();
    let st = ctx.state;
    let master = st.config.licenses.master_key.clone();
    // First the whole file, before anything is touched.
    let (_, manifest) = {
        let (path, master) = (path.to_path_buf(), master.clone());
        tokio::task::spawn_blocking(move || read_backup(&path, master.as_ref(), None))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))??
    };
    let target = store::target_state(&st.store).await?;
    if !target.is_empty() {
        let mut held = target.rows.clone();
        held.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let held: Vec<String> = held.iter().take(3).map(|(t, n)| format!("{t} {n} rows")).collect();
        return Err(refused(codes::NOT_EMPTY, held.join(", ")));
    }
    if target.schema_version.is_some_and(|v| v > manifest.schema_version) {
        return Err(refused(codes::NOT_EMPTY, format!("schema {}", target.schema_version.unwrap_or(0))));
    }
    let root = st.files.root().to_path_buf();
    if holds_anything(&root).map_err(|e| io_error(&format!("reading {}", root.display()), &e))? {
        return Err(refused(codes::NOT_EMPTY, root.display().to_string()));
    }
    let result = load(ctx, path, &manifest, master).await;
    let restored = match result {
        Ok(r) => r,
        Err(e) => {
            // Nothing half-restored: the transaction was rolled back; the files go too.
            let _ = std::fs::remove_dir_all(&root);
            return Err(e);
        }
    };
    let summary = RestoredSummary {
        manifest: ManifestSummary::of(&manifest),
        audit_checked: restored.audit_checked,
        migrated_after: restored.migrated_after,
        millis: started.elapsed().as_millis(),
    };
    let name = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let detail = json!({
        "path": name,
        "source": manifest.source,
        "backup_created_at": manifest.created_at,
        "schema_version": manifest.schema_version,
        "rows": summary.manifest.rows,
        "files": summary.manifest.files,
        "audit_seq": manifest.audit.seq,
    });
    ctx.audit_alone(ctx.entry(
        "backup_restored",
        "backup",
        &manifest.audit.hash[..16.min(manifest.audit.hash.len())],
        detail,
        "",
    ))
    .await?;
    zwfw_store::audit::seal(&st.store).await?;
    Ok(summary)
}

/// The second reading of the file, on a thread of its own, handing its
/// parts to the loader through a channel.
async fn load(
    ctx: &Ctx<'_>,
    path: &Path,
    manifest: &Manifest,
    master: Option<MasterKey>,
) -> AppResult<zwfw_store::backup::Restored> {
    let st = ctx.state;
    let mut loader = store::Loader::begin(&st.store, manifest.schema_version).await?;
    let (send, mut recv) = tokio::sync::mpsc::channel::<Event>(8);
    let reading = {
        let path = path.to_path_buf();
        tokio::task::spawn_blocking(move || {
            let mut emit = |e: Event| send.blocking_send(e).is_ok();
            read_backup(&path, master.as_ref(), Some(&mut emit))
        })
    };
    let mut failure: Option<AppError> = None;
    // Which of the current table's columns are loaded.
    let mut keep: Vec<bool> = vec![];
    while let Some(event) = recv.recv().await {
        let r = match event {
            Event::Table(t) => start_table(&mut loader, &t).await.map(|k| keep = k),
            Event::Rows(rows) => {
                let mut r = Ok(());
                for row in rows {
                    let row = if keep.iter().all(|k| *k) {
                        row
                    } else {
                        row.into_iter().zip(&keep).filter(|(_, k)| **k).map(|(v, _)| v).collect()
                    };
                    if let Err(e) = loader.row(row).await {
                        r = Err(e.into());
                        break;
                    }
                }
                r
            }
            Event::File(sm3, bytes) => match st.files.put(&bytes) {
                Ok(got) if got == sm3 => loader.file(&sm3, &bytes).await.map_err(AppError::from),
                Ok(_) => Err(refused(codes::DAMAGED, format!("file {sm3}"))),
                Err(e) => Err(io_error("writing a stored file", &e)),
            },
        };
        if let Err(e) = r {
            failure = Some(e);
            break;
        }
    }
    drop(recv);
    let read = reading.await.map_err(|e| AppError::Internal(e.to_string()))?;
    if let Some(e) = failure {
        return Err(e);
    }
    read?;
    let last_ids: Vec<(String, i64)> =
        manifest.tables.iter().filter_map(|t| t.last_id.map(|n| (t.name.clone(), n))).collect();
    let expected: Vec<(String, i64)> = manifest.tables.iter().map(|t| (t.name.clone(), t.rows)).collect();
    match loader.finish(&last_ids, &expected, (manifest.audit.seq, &manifest.audit.hash)).await? {
        Ok(r) => Ok(r),
        Err(m) => Err(refused(codes::CHECK_FAILED, m.to_string())),
    }
}

/// Starts a table of the backup: it and its columns must be the schema's,
/// with the same types, but for a numbering column of the source's engine
/// that the target's table does not have, which is left out. Returns which
/// columns are loaded.
async fn start_table(loader: &mut store::Loader, frame: &TableFrame) -> AppResult<Vec<bool>> {
    let name = &frame.name;
    let Some(t) = loader.tables().iter().find(|t| &t.name == name) else {
        return Err(refused(codes::STRUCTURE, format!("table {name}")));
    };
    let mut keep = vec![];
    for c in &frame.columns {
        match t.columns.iter().find(|x| x.name == c.name) {
            Some(x) if x.ty == c.ty => keep.push(true),
            None if frame.identity.as_ref() == Some(&c.name) => keep.push(false),
            _ => return Err(refused(codes::STRUCTURE, format!("{name}.{}", c.name))),
        }
    }
    let names: Vec<String> =
        frame.columns.iter().zip(&keep).filter(|(_, k)| **k).map(|(c, _)| c.name.clone()).collect();
    loader.start_table(name, &names).await?;
    Ok(keep)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(types: &[ColType]) -> Vec<Column> {
        types.iter().enumerate().map(|(i, t)| Column { name: format!("c{i}"), ty: *t }).collect()
    }

    #[test]
    fn rows_round_trip_with_their_types() {
        use zwfw_store::db::Kind as ValueKind;
        let c = cols(&[ColType::Int, ColType::Real, ColType::Text, ColType::Blob, ColType::Int, ColType::Real]);
        let row = vec![
            Value::Int(-9_007_199_254_740_993),
            Value::Real(1.0),
            Value::Text("办件 \"引号\"\n换行 \\ 𠮷".into()),
            Value::Blob(vec![0, 255, 10, 13]),
            Value::Null(ValueKind::Int),
            Value::Int(3),
        ];
        let mut line = vec![];
        encode_row(&mut line, &row);
        assert_eq!(line.iter().filter(|b| **b == b'\n').count(), 1, "one line");
        let back = decode_row(&line[..line.len() - 1], &c).unwrap();
        assert_eq!(back[..5], row[..5]);
        assert_eq!(back[5], Value::Real(3.0), "an integer in a real column is read as a real");
        // A value of another type than its column's is refused.
        assert!(decode_row(b"[1.5]", &cols(&[ColType::Int])).is_none());
        assert!(decode_row(b"[\"1\"]", &cols(&[ColType::Int])).is_none());
        assert!(decode_row(b"[1]", &cols(&[ColType::Text])).is_none());
        assert!(decode_row(b"[1, 2]", &cols(&[ColType::Int])).is_none());
        assert!(!fits(&Value::Text("1".into()), ColType::Int));
        assert!(fits(&Value::Null(ValueKind::Text), ColType::Int));
    }
}
