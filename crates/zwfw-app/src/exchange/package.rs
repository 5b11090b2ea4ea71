//! Offline packages (离线包, 常州 003 第六条) for an installation without a
//! line to the province.
//!
//! The installation without the line (a county office) makes a package of
//! its waiting outbox rows: each mapped to the national columns as the
//! exporter would, written into one file with a manifest and signed with
//! this installation's SM2 key ([`export_package`]). The rows count as
//! delivered (under the package's batch number), and the range of the
//! outbox the package covers is recorded so that the next package begins
//! where this one ended.
//!
//! The installation with the line (the city) registers the sender and its
//! public key ([`register_installation`]) and imports the file
//! ([`import_package`]): the signature must hold for the registered key, the
//! rows must be those the manifest lists, the package must begin where the
//! last one from that sender ended. Its rows join the outbox and go on to
//! the 前置库 like the rows written here, with their sender's `row_guid`. A
//! file imported again, an older package, a package that leaves a gap, one
//! from an unknown sender, signed with another key or changed after signing
//! is refused with a stable code and changes nothing.

use super::facts::Gatherer;
use crate::error::{AppError, AppResult, Kind};
use crate::licenses::keys::{self, Signer as _, SoftwareSigner};
use crate::state::{App, Ctx};
use serde::Serialize;
use serde_json::json;
use zwfw_domain::exchange::package::{self as dp, Header, Manifest, PackageRow, Placement};
use zwfw_domain::exchange::{self as dx, check_row};
use zwfw_store::exchange as sx;
use zwfw_store::exchange::package::{self as sp, InstallationRow, PackageRow as Recorded};

/// Outbox rows one package takes at most (the next package takes the rest).
pub const MAX_ROWS: i64 = 50_000;

/// Whether the actor may manage offline packages (the operator's command
/// line may): asked before a request's body is read.
pub fn may_manage(ctx: &Ctx<'_>) -> AppResult<()> {
    match ctx.actor {
        None => Ok(()), // the operator's command line
        Some(a) if zwfw_domain::access::staff::may_manage_exchange_packages(a) => Ok(()),
        Some(_) => Err(AppError::forbidden()),
    }
}

/// This installation's code in packages: its `row_guid` prefix, which must
/// be set (to its region code) before it makes packages.
fn own_code(st: &App) -> &str {
    &st.config.exchange.codes.guid_prefix
}

fn code_is_set(st: &App) -> bool {
    own_code(st) != dx::Codes::default().guid_prefix
}

/// This installation's package key as shown (never the private key).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ExchangePackageKey)]
pub struct KeyView {
    /// Uncompressed SM2 public key, hex (04‖x‖y): what the receiving side registers.
    pub public_key: String,
    /// SM3 of the public key, hex: how packages name it.
    pub fingerprint: String,
    pub signer_id: String,
    pub created_at: i64,
}

fn key_view(k: &sp::KeyRow) -> KeyView {
    let fingerprint = hex::decode(&k.public_key).map(|b| dp::key_fingerprint(&b)).unwrap_or_default();
    KeyView { public_key: k.public_key.clone(), fingerprint, signer_id: k.signer_id.clone(), created_at: k.created_at }
}

/// Makes this installation's package key (or replaces the one in use when
/// `rotate`; else `package_key_exists`).
pub async fn generate_key(ctx: &Ctx<'_>, rotate: bool) -> AppResult<KeyView> {
    may_manage(ctx)?;
    let st = ctx.state;
    let master = keys::master_key(st)?;
    let secret = sm2::SecretKey::random(&mut rand::rngs::OsRng);
    let signer_id = st.config.licenses.signer_id.clone();
    let signer = SoftwareSigner::new(&secret, &signer_id)?;
    let public_hex = hex::encode(signer.public_key());
    let sealed = master.seal(&secret.to_bytes(), &public_hex)?;
    let mut tx = st.store.begin().await?;
    let before = sp::current_key(tx.conn()).await?;
    if before.is_some() && !rotate {
        return Err(AppError::new(Kind::Conflict, "package_key_exists"));
    }
    let by = ctx.actor.map(|a| a.user_id);
    let id = sp::rotate_key(&mut tx, &public_hex, &sealed, &signer_id, by, ctx.now()).await?;
    let action = if before.is_some() { "exchange_package_key_rotated" } else { "exchange_package_key_created" };
    let detail = json!({"public_key": public_hex, "retired": before.map(|k| k.id)});
    ctx.audit(&mut tx, ctx.entry(action, "exchange_package_key", id, detail, "")).await?;
    tx.commit().await?;
    let k = sp::current_key(st.store.pool()).await?.ok_or_else(|| AppError::Internal("package key".into()))?;
    Ok(key_view(&k))
}

/// A package made here: the file's bytes and what it says.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ExchangePackageExported)]
pub struct Exported {
    pub manifest: Manifest,
    /// SM3 of the file, hex.
    pub sm3: String,
    /// A name for the file: `<installation>-<seq>.zwfwpkg`.
    pub file_name: String,
    /// Outbox rows rejected while mapping (shown on the monitor with the reason).
    pub rejected: u32,
    #[serde(skip)]
    pub bytes: Vec<u8>,
}

/// Makes a package of this installation's waiting outbox rows after outbox
/// row `since` (by default where the last package ended), signs it and
/// records it; the rows count as delivered.
pub async fn export_package(ctx: &Ctx<'_>, since: Option<i64>) -> AppResult<Exported> {
    may_manage(ctx)?;
    let st = ctx.state;
    if !code_is_set(st) {
        return Err(AppError::new(Kind::Invalid, "package_installation_unset"));
    }
    let key =
        sp::current_key(st.store.pool()).await?.ok_or_else(|| AppError::new(Kind::Invalid, "package_key_missing"))?;
    let signer = keys::signer_of_sealed(st, &key.private_sealed, &key.public_key, &key.signer_id)?;
    let last = sp::packages(st.store.pool(), "out", 1).await?.into_iter().next();
    let from = match since {
        Some(s) if s < 0 => return Err(AppError::with_detail(Kind::BadInput, "invalid_field", "since")),
        Some(s) => s,
        None => last.as_ref().map_or(0, |p| p.range_to),
    };
    sx::derive(&st.store).await?;
    let rows = sp::exportable(st.store.pool(), from, MAX_ROWS).await?;
    let Some(to) = rows.last().map(|r| r.id) else {
        return Err(AppError::with_detail(Kind::Conflict, "package_empty", from.to_string()));
    };
    let codes = &st.config.exchange.codes;
    let mut gatherer = Gatherer::new(st);
    let mut out = vec![];
    let mut taken = vec![];
    let mut rejected = 0;
    for r in &rows {
        let mapped = gatherer.front_rows(r).await;
        let reason = match &mapped {
            Ok(front) => front.iter().find_map(|f| check_row(f).err()),
            Err(e) => Some(format!("无法生成：{}", e.message())),
        };
        if let Some(reason) = reason {
            zwfw_store::exchange::mark_rejected(&st.store, r.id, &reason, ctx.now()).await?;
            rejected += 1;
            continue;
        }
        for f in mapped.unwrap_or_default() {
            let row_guid = r.row_guid.clone().unwrap_or_else(|| dx::row_guid(codes, r.id, f.sub));
            out.push(PackageRow { row_guid, row: f });
        }
        taken.push(r.id);
    }
    let now = ctx.now();
    let seq = last.as_ref().map_or(0, |p| p.seq) + 1;
    let header = Header {
        installation: own_code(st).to_string(),
        name: st.config.site_name.clone(),
        seq,
        from,
        to,
        created_at_ms: now,
        key: dp::key_fingerprint(&signer.public_key()),
    };
    let (signed, manifest) = dp::encode(&header, &out);
    let signature = signer.sign(&signed)?;
    let bytes = dp::seal(signed, &signature);
    let sm3 = zwfw_domain::audit::sm3_hex(&bytes);
    let mut tx = st.store.begin().await?;
    let rec = Recorded {
        id: 0,
        direction: "out".into(),
        installation: header.installation.clone(),
        seq,
        range_from: from,
        range_to: to,
        rows_total: out.len() as i64,
        rows_new: out.len() as i64,
        sm3: sm3.clone(),
        key_fp: header.key.clone(),
        created_at: now,
        at: now,
        by_user: ctx.actor.map(|a| a.user_id),
    };
    let id = sp::insert_package(&mut tx, &rec).await?;
    if !sp::mark_exported(&mut tx, &taken, id, &dx::batch_id(rand::random()), now).await? {
        return Err(AppError::new(Kind::Conflict, "package_export_conflict"));
    }
    let detail = json!({"installation": header.installation, "package_seq": seq, "range_from": from, "range_to": to,
        "rows": out.len(), "sm3": sm3});
    ctx.audit(&mut tx, ctx.entry("exchange_package_exported", "exchange_package", id, detail, "")).await?;
    tx.commit().await?;
    Ok(Exported { file_name: format!("{}-{seq}.zwfwpkg", header.installation), manifest, sm3, rejected, bytes })
}

/// What registering an installation takes.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[schema(as = ExchangeInstallationInput)]
pub struct InstallationInput {
    /// Its code: the `guid_prefix` it is configured with (its region code).
    pub code: String,
    pub name: String,
    /// Its package key's SM2 public key, hex (uncompressed 04‖x‖y or compressed).
    pub public_key: String,
    /// The SM2 signer ID it signs with (default 1234567812345678).
    #[serde(default)]
    pub signer_id: Option<String>,
    /// Its first package begins after this outbox row (0: its first row).
    #[serde(default)]
    pub next_from: Option<i64>,
    /// Replace the key (and name) of an installation registered already.
    #[serde(default)]
    pub replace: bool,
}

/// Registers an installation whose packages are imported here, or replaces
/// its key (`replace`; else `installation_exists`).
pub async fn register_installation(ctx: &Ctx<'_>, input: &InstallationInput) -> AppResult<InstallationRow> {
    may_manage(ctx)?;
    let st = ctx.state;
    let code = input.code.trim();
    if !dp::valid_installation_code(code) {
        return Err(AppError::with_detail(Kind::Invalid, "installation_code_invalid", "code"));
    }
    if code == own_code(st) {
        return Err(AppError::with_detail(Kind::Invalid, "installation_is_self", code));
    }
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(AppError::with_detail(Kind::Invalid, "installation_name_invalid", "name"));
    }
    let signer_id =
        input.signer_id.as_deref().map(str::trim).filter(|s| !s.is_empty()).unwrap_or(keys::DEFAULT_SIGNER_ID);
    if signer_id.len() > 64 || !signer_id.is_ascii() {
        return Err(AppError::with_detail(Kind::Invalid, "installation_key_invalid", "signer_id"));
    }
    let public_key = normalize_public_key(&input.public_key)
        .ok_or_else(|| AppError::with_detail(Kind::Invalid, "installation_key_invalid", "public_key"))?;
    let next_from = input.next_from.unwrap_or(0);
    if next_from < 0 {
        return Err(AppError::with_detail(Kind::Invalid, "installation_key_invalid", "next_from"));
    }
    let now = ctx.now();
    let mut tx = st.store.begin().await?;
    let before = sp::installation(tx.conn(), code).await?;
    let (id, action, detail) = match before {
        Some(b) if input.replace => {
            sp::replace_installation_key(&mut tx, code, name, &public_key, signer_id, now).await?;
            let detail =
                json!({"installation": code, "name": name, "public_key": public_key, "replaced": b.public_key});
            (b.id, "exchange_installation_key_replaced", detail)
        }
        Some(_) => return Err(AppError::with_detail(Kind::Conflict, "installation_exists", code)),
        None => {
            let id = sp::insert_installation(&mut tx, code, name, &public_key, signer_id, next_from, now)
                .await
                .map_err(|e| match e {
                    zwfw_store::StoreError::Duplicate(_) => {
                        AppError::with_detail(Kind::Conflict, "installation_exists", code)
                    }
                    e => e.into(),
                })?;
            let detail = json!({"installation": code, "name": name, "public_key": public_key, "next_from": next_from});
            (id, "exchange_installation_registered", detail)
        }
    };
    ctx.audit(&mut tx, ctx.entry(action, "exchange_installation", id, detail, "")).await?;
    tx.commit().await?;
    sp::installation(st.store.pool(), code).await?.ok_or_else(|| AppError::Internal("installation".into()))
}

/// An SM2 public key given in hex (uncompressed or compressed, blanks and
/// line breaks ignored) as uncompressed hex; None when it is not a point of the curve.
fn normalize_public_key(text: &str) -> Option<String> {
    use sm2::elliptic_curve::sec1::ToEncodedPoint;
    let clean: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = hex::decode(clean).ok()?;
    let key = sm2::PublicKey::from_sec1_bytes(&bytes).ok()?;
    Some(hex::encode(key.to_encoded_point(false).as_bytes()))
}

/// A package imported.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ExchangePackageImported)]
pub struct Imported {
    pub package_id: i64,
    pub manifest: Manifest,
    /// The sender's name as registered here.
    pub sender: String,
    /// Rows added to the outbox.
    pub rows_new: i64,
    /// Rows an earlier package had brought already (same row_guid): left as they were.
    pub rows_known: i64,
    /// SM3 of the file, hex.
    pub sm3: String,
}

/// Imports a package: checked, then its rows added to the outbox in one
/// transaction, the sender's range moved to the package's end.
pub async fn import_package(ctx: &Ctx<'_>, bytes: &[u8]) -> AppResult<Imported> {
    may_manage(ctx)?;
    let st = ctx.state;
    let p = dp::parse(bytes).map_err(|m| AppError::with_detail(Kind::Invalid, "package_malformed", m.detail()))?;
    let m = &p.manifest;
    if m.installation == own_code(st) {
        return Err(AppError::with_detail(Kind::Invalid, "package_from_self", m.installation.clone()));
    }
    let sender = sp::installation(st.store.pool(), &m.installation)
        .await?
        .ok_or_else(|| AppError::with_detail(Kind::Invalid, "package_unknown_installation", m.installation.clone()))?;
    let public = hex::decode(&sender.public_key).map_err(|_| AppError::Internal("registered key".into()))?;
    if dp::key_fingerprint(&public) != m.key {
        return Err(AppError::with_detail(Kind::Invalid, "package_wrong_key", m.installation.clone()));
    }
    if !keys::verify(&public, &sender.signer_id, &p.signed, &p.signature) {
        return Err(AppError::with_detail(Kind::Invalid, "package_tampered", "signature"));
    }
    dp::verify_digests(&p).map_err(|t| AppError::with_detail(Kind::Invalid, "package_tampered", t))?;
    let sm3 = zwfw_domain::audit::sm3_hex(bytes);
    if let Some(before) = sp::package_by_sm3(st.store.pool(), "in", &sm3).await? {
        return Err(already(&before));
    }
    match dp::placement(sender.next_from, m.from, m.to) {
        Placement::Continues => {}
        Placement::Replayed => {
            return Err(AppError::with_detail(
                Kind::Conflict,
                "package_replayed",
                format!("{}:{}:{}", m.seq, m.to, sender.next_from),
            ))
        }
        Placement::Gap => {
            return Err(AppError::with_detail(
                Kind::Conflict,
                "package_gap",
                format!("{}:{}", sender.next_from, m.from),
            ))
        }
    }
    let now = ctx.now();
    let mut tx = st.store.begin().await?;
    let rec = Recorded {
        id: 0,
        direction: "in".into(),
        installation: m.installation.clone(),
        seq: m.seq,
        range_from: m.from,
        range_to: m.to,
        rows_total: p.rows.len() as i64,
        rows_new: 0,
        sm3: sm3.clone(),
        key_fp: m.key.clone(),
        created_at: zwfw_domain::time::parse_rfc3339(&m.created_at).unwrap_or(now),
        at: now,
        by_user: ctx.actor.map(|a| a.user_id),
    };
    let id = match sp::insert_package(&mut tx, &rec).await {
        Ok(id) => id,
        Err(zwfw_store::StoreError::Duplicate(_)) => {
            drop(tx);
            let before = sp::package_by_sm3(st.store.pool(), "in", &sm3).await?;
            return Err(before.map_or_else(|| AppError::new(Kind::Conflict, "package_conflict"), |b| already(&b)));
        }
        Err(e) => return Err(e.into()),
    };
    let mut rows_new = 0;
    for r in &p.rows {
        let payload = dp::cells_text(&r.row);
        if sp::insert_imported(&mut tx, r.row.table.code(), &r.row_guid, &payload, &m.installation, id, now).await? {
            rows_new += 1;
        }
    }
    sp::set_package_rows(&mut tx, id, p.rows.len() as i64, rows_new).await?;
    if !sp::advance(&mut tx, &m.installation, sender.next_from, m.to, now).await? {
        return Err(AppError::new(Kind::Conflict, "package_conflict"));
    }
    let detail = json!({"installation": m.installation, "package_seq": m.seq, "range_from": m.from, "range_to": m.to,
        "rows": p.rows.len(), "rows_new": rows_new, "sm3": sm3});
    ctx.audit(&mut tx, ctx.entry("exchange_package_imported", "exchange_package", id, detail, "")).await?;
    tx.commit().await?;
    super::wake();
    Ok(Imported {
        package_id: id,
        manifest: p.manifest.clone(),
        sender: sender.name,
        rows_new,
        rows_known: p.rows.len() as i64 - rows_new,
        sm3,
    })
}

fn already(before: &Recorded) -> AppError {
    let at = zwfw_domain::time::format_rfc3339(before.at);
    AppError::with_detail(Kind::Conflict, "package_already_imported", format!("{}:{}", before.seq, at))
}

/// The offline packages page: this installation's code and key, the
/// installations registered, the packages made and imported.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ExchangePackages)]
pub struct Overview {
    /// This installation's code in its packages (`[exchange.codes] guid_prefix`).
    pub installation: String,
    /// Whether the code was set (it must be, to make packages).
    pub installation_set: bool,
    pub key: Option<KeyView>,
    pub installations: Vec<InstallationRow>,
    /// Imported here, newest first.
    pub imported: Vec<Recorded>,
    /// Made here, newest first.
    pub exported: Vec<Recorded>,
    /// The next package made here begins after this outbox row.
    pub next_from: i64,
    /// Outbox rows a package made now would take (at most one package's worth).
    pub exportable: i64,
    /// Rows brought by packages still waiting for the exporter.
    pub imported_waiting: i64,
}

pub async fn overview(ctx: &Ctx<'_>) -> AppResult<Overview> {
    if ctx.actor.is_none() {
        return Err(AppError::forbidden());
    }
    may_manage(ctx)?;
    let st = ctx.state;
    sx::derive(&st.store).await?;
    let pool = || st.store.pool();
    let exported = sp::packages(pool(), "out", 50).await?;
    let next_from = exported.first().map_or(0, |p| p.range_to);
    Ok(Overview {
        installation: own_code(st).to_string(),
        installation_set: code_is_set(st),
        key: sp::current_key(pool()).await?.as_ref().map(key_view),
        installations: sp::installations(pool()).await?,
        imported: sp::packages(pool(), "in", 50).await?,
        exportable: sp::exportable_count(pool(), next_from).await?.min(MAX_ROWS),
        exported,
        next_from,
        imported_waiting: sp::imported_waiting(pool()).await?,
    })
}

/// This installation's package key, if one was made.
pub async fn current_key(ctx: &Ctx<'_>) -> AppResult<Option<KeyView>> {
    may_manage(ctx)?;
    Ok(sp::current_key(ctx.state.store.pool()).await?.as_ref().map(key_view))
}

/// What one county reported in its offline packages, for the city's
/// supervision dashboard (区县报送).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ReportedByCounty)]
pub struct ReportedFigures {
    /// The sender's code (its region code).
    pub code: String,
    /// The sender as registered here.
    pub name: String,
    /// The region of that code, when it is one of this platform's regions.
    pub region_id: Option<i64>,
    pub region_name: Option<String>,
    /// Its last package imported: its number, the time the previous one was
    /// made (None: the first package) and the time it was made; the period
    /// it reports.
    pub last_seq: Option<i64>,
    pub period_from: Option<i64>,
    pub period_to: Option<i64>,
    /// When it was imported here.
    pub imported_at: Option<i64>,
    /// Its cases as the rows it reported show them.
    pub cases: zwfw_domain::exchange::reported::Reported,
}

/// The counties' reported cases, per registered sender, from the
/// acceptance and result rows their packages brought (the corrected
/// version of a row in place of the one it replaced).
pub async fn reported(st: &App) -> AppResult<Vec<ReportedFigures>> {
    use zwfw_domain::exchange::Table;
    let installations = sp::installations(st.store.pool()).await?;
    let packages = sp::packages(st.store.pool(), "in", 1000).await?;
    let regions = zwfw_store::admin::list_regions(&st.store).await?;
    let rows = sp::reported_rows(st.store.pool(), &[Table::ProAccept.code(), Table::ProResult.code()]).await?;
    let now = zwfw_domain::time::local_naive(st.now_ms());
    let mut out = Vec::new();
    for i in installations {
        let mut theirs: Vec<&Recorded> = packages.iter().filter(|p| p.installation == i.code).collect();
        theirs.sort_by_key(|p| p.seq);
        let last = theirs.last().copied();
        let previous = theirs.len().checked_sub(2).and_then(|n| theirs.get(n)).copied();
        let front: Vec<dx::FrontRow> = rows
            .iter()
            .filter(|(origin, _, _)| *origin == i.code)
            .filter_map(|(_, tbl, cells)| dp::cells_row(Table::parse(tbl)?, cells).ok())
            .collect();
        let region = regions.iter().find(|r| r.code == i.code);
        out.push(ReportedFigures {
            region_id: region.map(|r| r.id),
            region_name: region.map(|r| r.name.clone()),
            last_seq: last.map(|p| p.seq),
            period_from: previous.map(|p| p.created_at),
            period_to: last.map(|p| p.created_at),
            imported_at: last.map(|p| p.at),
            cases: zwfw_domain::exchange::reported::tally(&front, now),
            code: i.code,
            name: i.name,
        });
    }
    Ok(out)
}
