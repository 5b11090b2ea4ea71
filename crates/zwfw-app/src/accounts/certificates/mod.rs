//! Staff certificates (数字证书, 承德 第十九—二十一条): the service centre
//! registers a staff member's SM2 certificate (and re-issues one by
//! registering its successor); the staff member signs a single-use
//! challenge with it after the password, as the second factor instead of a
//! TOTP code; the holder or an administrator reports a certificate lost,
//! locked or revoked, which blocks it at once (open challenges fail, sessions
//! signed in with it end) and tells the centre.

pub mod x509;

use crate::accounts::sessions::SessionCtx;
use crate::error::{AppError, AppResult, Kind};
use crate::state::{App, Ctx};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::Arc;
use utoipa::ToSchema;
use zwfw_domain::access::staff::{self as access, StaffAccount};
use zwfw_domain::access::Refusal;
use zwfw_domain::admin::{AccountKind, Role};
use zwfw_domain::audit::action;
use zwfw_domain::certificates::{self as dc, Report, Standing};
use zwfw_store::admin::{self as store_admin, User};
use zwfw_store::certificates::{self as sc, CertificateRow};

/// Where the browser's script asks the certificate vendor's local signing
/// service for a signature, unless configured (`[certificates] signing_service`).
pub const DEFAULT_SIGNING_SERVICE: &str = "http://127.0.0.1:18089/sm2/sign";

/// `[certificates]`: the CA certificate registered certificates must be
/// issued by (none: any issuer, the centre checks the paper), and the
/// address of the local signing service the sign-in page calls.
#[derive(Debug, Clone)]
pub struct CertificatesConfig {
    pub ca: Option<Arc<x509::Parsed>>,
    pub signing_service: String,
    /// Where the CA's revocation list is put (`[certificates] crl_file`):
    /// the background job imports it when it changes.
    pub crl_file: Option<std::path::PathBuf>,
    /// The last refusal of the file logged, so that it is logged once.
    warned: Arc<std::sync::Mutex<Option<String>>>,
}

impl Default for CertificatesConfig {
    fn default() -> Self {
        CertificatesConfig {
            ca: None,
            signing_service: DEFAULT_SIGNING_SERVICE.into(),
            crl_file: None,
            warned: Arc::default(),
        }
    }
}

impl CertificatesConfig {
    /// The CA from its certificate (PEM or DER): an SM2 certificate.
    pub fn with_ca(mut self, bytes: &[u8]) -> Result<Self, String> {
        let ca = x509::read(bytes).map_err(|e| match e {
            x509::ReadError::Unreadable => "the CA file is not an X.509 certificate (PEM or DER)".to_string(),
            x509::ReadError::NotSm2 => "the CA certificate's key is not an SM2 key".to_string(),
        })?;
        self.ca = Some(Arc::new(ca));
        Ok(self)
    }

    /// Runs `log` unless the last warning was `key` too.
    fn warn_once(&self, key: String, log: impl FnOnce()) {
        let mut last = self.warned.lock().unwrap_or_else(|e| e.into_inner());
        if last.as_deref() != Some(key.as_str()) {
            log();
            *last = Some(key);
        }
    }
}

/// The object named in refusals.
const OBJECT: &str = "certificate";

fn refused(r: Refusal) -> AppError {
    if r.hides_object() {
        AppError::not_found(OBJECT)
    } else {
        AppError::with_detail(Kind::Forbidden, r.code(), OBJECT)
    }
}

fn account(u: &User) -> StaffAccount<'_> {
    StaffAccount { user_id: u.id, kind: u.kind, department_id: u.department_id, roles: &u.roles }
}

async fn staff_member(st: &App, user_id: i64) -> AppResult<User> {
    let u = store_admin::get_user(&st.store, user_id).await.map_err(AppError::missing("user"))?;
    if u.kind != AccountKind::Staff {
        return Err(AppError::not_found("user"));
    }
    Ok(u)
}

fn report_of(r: &CertificateRow) -> Option<Report> {
    r.report.as_deref().and_then(Report::parse)
}

/// Where a stored certificate stands at `now_ms`.
pub fn standing(r: &CertificateRow, now_ms: i64) -> Standing {
    Standing::at(report_of(r), r.not_before, r.not_after, now_ms)
}

// ---------- views ----------

/// A registered certificate as its readers see it (never the private key,
/// which the program does not hold).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = StaffCertificate)]
pub struct CertificateView {
    pub id: i64,
    pub user_id: i64,
    /// The serial number, upper-case hex.
    pub serial: String,
    pub issuer: String,
    pub subject: String,
    /// Validity, epoch milliseconds.
    pub not_before: i64,
    pub not_after: i64,
    /// SM3 of the certificate's DER, hex.
    pub fingerprint: String,
    /// active | lost | locked | revoked | expired | not_yet_valid
    pub standing: String,
    pub standing_label: String,
    /// Its signature was checked against the configured CA certificate.
    pub ca_checked: bool,
    /// The certificate this one re-issues.
    pub replaces: Option<i64>,
    pub registered_name: String,
    pub registered_at: i64,
    pub reason: String,
    pub report_reason: Option<String>,
    pub reported_name: Option<String>,
    pub reported_at: Option<i64>,
    /// The reader may report it lost, locked or revoked now.
    pub may_report: bool,
    /// A re-issue (补办) may replace it: reported or expired.
    pub replaceable: bool,
}

fn view(r: CertificateRow, now_ms: i64, may_report: bool) -> CertificateView {
    let s = standing(&r, now_ms);
    CertificateView {
        id: r.id,
        user_id: r.user_id,
        serial: r.serial,
        issuer: r.issuer,
        subject: r.subject,
        not_before: r.not_before,
        not_after: r.not_after,
        fingerprint: r.fingerprint,
        standing: s.code().into(),
        standing_label: crate::messages::label("certificate_standing", s.code()),
        ca_checked: r.ca_checked,
        replaces: r.replaces,
        registered_name: r.registered_name,
        registered_at: r.registered_at,
        reason: r.reason,
        report_reason: r.report_reason,
        reported_name: r.reported_name,
        reported_at: r.reported_at,
        may_report: may_report && s.reportable(),
        replaceable: s.replaceable(),
    }
}

// ---------- reading ----------

/// A staff member's certificates, for the holder and whoever reads the
/// account; anyone else is answered "not found".
pub async fn list_for(ctx: &Ctx<'_>, user_id: i64) -> AppResult<Vec<CertificateView>> {
    let st = ctx.state;
    let u = staff_member(st, user_id).await?;
    let may_report = match ctx.actor {
        Some(a) => {
            access::may_read_certificates(a, &account(&u)).map_err(|_| AppError::not_found("user"))?;
            access::may_report_certificate(a, &account(&u)).is_ok()
        }
        None => true,
    };
    let now = ctx.now();
    Ok(sc::for_user(st.store.pool(), u.id).await?.into_iter().map(|r| view(r, now, may_report)).collect())
}

/// The signed-in staff member's own certificates.
pub async fn mine(ctx: &Ctx<'_>) -> AppResult<Vec<CertificateView>> {
    let a = ctx
        .actor
        .filter(|a| a.is_staff())
        .ok_or_else(|| AppError::with_detail(Kind::Forbidden, "staff_only", OBJECT))?;
    list_for(ctx, a.user_id).await
}

/// The person's latest certificate usable now, if any.
pub async fn usable(st: &App, user_id: i64) -> AppResult<Option<CertificateRow>> {
    let now = st.now_ms();
    Ok(sc::for_user(st.store.pool(), user_id).await?.into_iter().find(|r| standing(r, now).usable()))
}

/// Whether the person has a certificate usable now (one query).
pub async fn has_usable(st: &App, user_id: i64) -> AppResult<bool> {
    Ok(sc::has_usable(st.store.pool(), user_id, st.now_ms()).await?)
}

// ---------- registration ----------

/// A certificate to register for a staff member.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[schema(as = StaffCertificateInput)]
pub struct RegisterInput {
    /// The X.509 certificate: PEM text (`-----BEGIN CERTIFICATE-----`) or
    /// the DER in base64.
    pub certificate: String,
    /// Why (e.g. 新领取, 补办: the reference of the paper request).
    pub reason: String,
    /// The certificate of the same person this one re-issues (it stays on
    /// record as it stands).
    #[serde(default)]
    pub replaces: Option<i64>,
}

/// The certificate's bytes from the form it was given in.
pub fn certificate_bytes(text: &str) -> AppResult<Vec<u8>> {
    let t = text.trim();
    if t.starts_with("-----BEGIN") {
        return Ok(t.as_bytes().to_vec());
    }
    let compact: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    data_encoding::BASE64.decode(compact.as_bytes()).map_err(|_| AppError::new(Kind::Invalid, "certificate_unreadable"))
}

/// Whether the actor may register a certificate for `user_id`: asked
/// before the certificate is read.
pub async fn may_register(ctx: &Ctx<'_>, user_id: i64) -> AppResult<User> {
    let u = staff_member(ctx.state, user_id).await?;
    if let Some(a) = ctx.actor {
        access::may_register_certificate(a, &account(&u)).map_err(refused)?;
    }
    Ok(u)
}

/// Registers a certificate (PEM or DER bytes) for `user_id`: an SM2
/// certificate valid now, naming the person, issued by the configured CA if
/// there is one, registered for nobody yet. The holder is told in-app.
pub async fn register(
    ctx: &Ctx<'_>,
    user_id: i64,
    bytes: &[u8],
    reason: &str,
    replaces: Option<i64>,
) -> AppResult<CertificateView> {
    let st = ctx.state;
    let u = may_register(ctx, user_id).await?;
    let reason = crate::error::reason(reason)?.to_string();
    let parsed = x509::read(bytes).map_err(|e| match e {
        x509::ReadError::Unreadable => AppError::new(Kind::Invalid, "certificate_unreadable"),
        x509::ReadError::NotSm2 => AppError::new(Kind::Invalid, "certificate_not_sm2"),
    })?;
    let now = ctx.now();
    dc::check_registration(
        parsed.common_name.as_deref(),
        &u.display_name,
        parsed.not_before_ms,
        parsed.not_after_ms,
        now,
    )
    .map_err(|e| match e {
        dc::RegistrationError::OtherPerson => AppError::with_detail(
            Kind::Invalid,
            "certificate_other_person",
            parsed.common_name.clone().unwrap_or_default(),
        ),
        dc::RegistrationError::Expired => AppError::new(Kind::Invalid, "certificate_expired"),
        dc::RegistrationError::NotYetValid => AppError::new(Kind::Invalid, "certificate_not_yet_valid"),
    })?;
    let ca_checked = match &st.config.certificates.ca {
        Some(ca) if !x509::issued_by(&parsed, ca) => {
            return Err(AppError::new(Kind::Invalid, "certificate_not_from_ca"));
        }
        Some(_) => true,
        None => false,
    };
    if let Some(old) = replaces {
        let r = sc::get(st.store.pool(), old).await.map_err(AppError::missing(OBJECT))?;
        if r.user_id != u.id {
            return Err(AppError::new(Kind::Invalid, "certificate_replaces_other"));
        }
        if !standing(&r, now).replaceable() {
            return Err(AppError::new(Kind::Invalid, "certificate_replaces_usable"));
        }
    }
    if sc::by_fingerprint(st.store.pool(), &parsed.fingerprint).await?.is_some() {
        return Err(AppError::new(Kind::Conflict, "certificate_registered"));
    }
    if revoked_by_ca(st, &parsed.issuer, &parsed.serial).await? {
        return Err(AppError::new(Kind::Invalid, "certificate_revoked_by_ca"));
    }
    // One person, one usable certificate: a new one (a re-issue too) is
    // registered once the one in use is reported or has expired.
    if sc::has_usable(st.store.pool(), u.id, now).await? {
        return Err(AppError::new(Kind::Conflict, "certificate_already_held"));
    }
    let by_name = ctx.actor.map(|a| a.display_name.clone()).unwrap_or_else(|| "系统".into());
    let public_key = hex::encode(&parsed.public_key);
    let mut tx = st.store.begin().await?;
    let id = sc::insert(
        &mut tx,
        &sc::NewCertificate {
            user_id: u.id,
            serial: &parsed.serial,
            issuer: &parsed.issuer,
            subject: &parsed.subject,
            not_before: parsed.not_before_ms,
            not_after: parsed.not_after_ms,
            fingerprint: &parsed.fingerprint,
            public_key: &public_key,
            pem: &parsed.pem,
            ca_checked,
            replaces,
            registered_by: ctx.actor.map(|a| a.user_id),
            registered_name: &by_name,
            registered_at: now,
            reason: &reason,
        },
    )
    .await
    .map_err(|e| match e {
        zwfw_store::StoreError::Duplicate(_) => AppError::new(Kind::Conflict, "certificate_registered"),
        e => e.into(),
    })?;
    let detail = json!({"certificate_id": id, "serial": parsed.serial, "issuer": parsed.issuer,
        "subject": parsed.subject, "fingerprint": parsed.fingerprint, "ca_checked": ca_checked,
        "not_after": zwfw_domain::time::format_rfc3339(parsed.not_after_ms), "replaces": replaces});
    ctx.audit(&mut tx, ctx.entry("certificate_registered", "user", u.id, detail, &reason)).await?;
    if ctx.actor.is_some() {
        let title = format!("已为您登记数字证书（序列号{}）", parsed.serial);
        let body = format!(
            "证书有效期至{}。登录时输入密码后，可使用该证书签名验证身份。证书如丢失、被锁死或停用，请立即在“我的账号”中挂失，并告知政务服务中心。",
            zwfw_domain::time::format_local(parsed.not_after_ms)
        );
        zwfw_store::interaction::notify_users(&mut tx, &[u.id], &title, &body, "/account#certificates", now).await?;
    }
    tx.commit().await?;
    Ok(view(sc::get(st.store.pool(), id).await?, now, true))
}

// ---------- reports ----------

/// A report blocking a certificate.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[schema(as = StaffCertificateReport)]
pub struct ReportInput {
    /// lost (挂失) | locked (锁死) | revoked (撤销/停用)
    pub state: String,
    /// What happened.
    pub reason: String,
}

/// The certificate and its holder, when the actor may report it: asked
/// before the report is read.
pub async fn may_report(ctx: &Ctx<'_>, certificate_id: i64) -> AppResult<(CertificateRow, User)> {
    let st = ctx.state;
    let r = sc::get(st.store.pool(), certificate_id).await.map_err(AppError::missing(OBJECT))?;
    let u = staff_member(st, r.user_id).await?;
    if let Some(a) = ctx.actor {
        access::may_report_certificate(a, &account(&u)).map_err(refused)?;
    }
    Ok((r, u))
}

/// Reports a certificate lost, locked or revoked: it is blocked at once —
/// its open challenges fail, the sessions signed in with it (other than the
/// reporter's own) end — and the service centre and the holder are told.
pub async fn report(
    ctx: &Ctx<'_>,
    certificate_id: i64,
    input: &ReportInput,
    current_session: Option<i64>,
) -> AppResult<CertificateView> {
    let st = ctx.state;
    let (r, u) = may_report(ctx, certificate_id).await?;
    let state = Report::parse(&input.state)
        .filter(|s| s.by_people())
        .ok_or_else(|| AppError::with_detail(Kind::Invalid, "bad_certificate_report", "state"))?;
    let reason = crate::error::reason(&input.reason)?.to_string();
    let now = ctx.now();
    if !standing(&r, now).reportable() {
        return Err(AppError::new(Kind::Conflict, "certificate_reported"));
    }
    let by_name = ctx.actor.map(|a| a.display_name.clone()).unwrap_or_else(|| "系统".into());
    let sessions: Vec<i64> = sc::sessions_signed_with(st.store.pool(), r.id)
        .await?
        .into_iter()
        .filter(|s| Some(*s) != current_session)
        .collect();
    let centre = centre_admins(st, u.id).await?;
    let mut tx = st.store.begin().await?;
    let blocking = Blocking {
        state,
        reason: &reason,
        by_name: &by_name,
        tell_holder: ctx.actor.is_some_and(|a| a.user_id != u.id),
    };
    block(ctx, &mut tx, &r, &u, &blocking, &sessions, &centre).await?;
    tx.commit().await?;
    Ok(view(sc::get(st.store.pool(), r.id).await?, now, false))
}

/// The active service-centre administrators other than `except`.
async fn centre_admins(st: &App, except: i64) -> AppResult<Vec<i64>> {
    Ok(store_admin::list_staff(&st.store, None)
        .await?
        .into_iter()
        .filter(|c| c.active && c.roles.contains(&Role::CenterAdmin) && c.id != except)
        .map(|c| c.id)
        .collect())
}

/// What blocks a certificate: a person's report or the CA's revocation list.
struct Blocking<'a> {
    state: Report,
    reason: &'a str,
    by_name: &'a str,
    /// The holder is told (someone else blocked it).
    tell_holder: bool,
}

/// Blocks a certificate in `tx`: the report is recorded, its open
/// challenges fail, `sessions` (those signed in with it that end) end, the
/// audit trail records it and `centre` (and the holder, when told) get an
/// in-app message.
async fn block(
    ctx: &Ctx<'_>,
    tx: &mut zwfw_store::Tx,
    r: &CertificateRow,
    u: &User,
    b: &Blocking<'_>,
    sessions: &[i64],
    centre: &[i64],
) -> AppResult<()> {
    let now = ctx.now();
    sc::insert_report(
        tx,
        &sc::NewReport {
            certificate_id: r.id,
            user_id: u.id,
            state: b.state.code(),
            reason: b.reason,
            reported_by: ctx.actor.map(|a| a.user_id),
            reported_name: b.by_name,
            reported_at: now,
        },
    )
    .await
    .map_err(|e| match e {
        zwfw_store::StoreError::Duplicate(_) => AppError::new(Kind::Conflict, "certificate_reported"),
        e => e.into(),
    })?;
    let closed = sc::close_challenges(tx, r.id, "blocked", now).await?;
    for s in sessions {
        zwfw_store::auth::end_session(tx, *s, "certificate_blocked", now).await?;
    }
    let detail = json!({"certificate_id": r.id, "serial": r.serial, "certificate_state": b.state.code(),
        "challenges_closed": closed, "sessions_ended": sessions});
    ctx.audit(tx, ctx.entry("certificate_reported", "user", u.id, detail, b.reason)).await?;
    let label = crate::messages::label("certificate_standing", b.state.code());
    let title = format!("数字证书{label}：{}（序列号{}）", u.display_name, r.serial);
    let body = format!(
        "{}于{}报告{}的数字证书{label}，原因：{}。该证书已停止用于登录。如需补办，请由政务服务中心登记新证书。",
        b.by_name,
        zwfw_domain::time::format_local(now),
        u.display_name,
        b.reason
    );
    let link = format!("/admin/users/{}/certificates", u.id);
    zwfw_store::interaction::notify_users(tx, centre, &title, &body, &link, now).await?;
    if b.tell_holder {
        zwfw_store::interaction::notify_users(tx, &[u.id], &title, &body, "/account#certificates", now).await?;
    }
    Ok(())
}

// ---------- the CA's revocation list (CRL) ----------

/// What importing a revocation list did.
#[derive(Debug, Clone, Serialize)]
pub struct CrlImported {
    /// False: the same list was held already; nothing changed.
    pub imported: bool,
    pub issuer: String,
    pub this_update: i64,
    pub next_update: Option<i64>,
    /// The serials on the list.
    pub revoked: usize,
    /// The registered certificates it blocked now (ids).
    pub blocked: Vec<i64>,
}

/// Takes the configured CA's certificate revocation list (PEM or DER): it
/// must be signed by the CA (SM2 with SM3) and newer (thisUpdate) than the
/// list held; otherwise it is refused and nothing changes. Each registered
/// certificate of the CA whose serial is on it, and is not blocked yet, is
/// blocked at once as a report `ca_revoked` blocks it: its challenges fail,
/// the sessions signed in with it end, its holder and the service centre
/// are told, the audit trail records it.
pub async fn import_crl(ctx: &Ctx<'_>, bytes: &[u8]) -> AppResult<CrlImported> {
    let st = ctx.state;
    let ca = st.config.certificates.ca.clone().ok_or_else(|| AppError::new(Kind::Invalid, "crl_no_ca"))?;
    let crl = x509::read_crl(bytes).ok_or_else(|| AppError::new(Kind::Invalid, "crl_unreadable"))?;
    if !x509::crl_signed_by(&crl, &ca) {
        return Err(AppError::new(Kind::Invalid, "crl_not_from_ca"));
    }
    let serials: Vec<String> = crl.revoked.iter().map(|(s, _)| s.clone()).collect();
    let mut outcome = CrlImported {
        imported: false,
        issuer: crl.issuer.clone(),
        this_update: crl.this_update_ms,
        next_update: crl.next_update_ms,
        revoked: serials.len(),
        blocked: vec![],
    };
    if let Some(held) = sc::latest_crl(st.store.pool(), &crl.issuer).await? {
        if held.fingerprint == crl.fingerprint {
            return Ok(outcome);
        }
        if crl.this_update_ms <= held.this_update {
            return Err(AppError::with_detail(
                Kind::Conflict,
                "crl_older",
                zwfw_domain::time::format_rfc3339(held.this_update),
            ));
        }
    }
    let now = ctx.now();
    let on_list: Vec<CertificateRow> = sc::by_issuer_serials(st.store.pool(), &crl.issuer, &serials)
        .await?
        .into_iter()
        .filter(|r| standing(r, now).reportable())
        .collect();
    let mut to_block = Vec::new();
    for r in on_list {
        let u = store_admin::get_user(&st.store, r.user_id).await.map_err(AppError::missing("user"))?;
        let sessions = sc::sessions_signed_with(st.store.pool(), r.id).await?;
        let centre = centre_admins(st, u.id).await?;
        to_block.push((r, u, sessions, centre));
    }
    let by_name = "证书签发机构吊销列表（CRL）";
    let by_name = match ctx.actor {
        Some(a) => format!("{}（导入{by_name}）", a.display_name),
        None => by_name.to_string(),
    };
    let mut tx = st.store.begin().await?;
    let id = sc::insert_crl(
        &mut tx,
        &sc::NewCrl {
            issuer: &crl.issuer,
            this_update: crl.this_update_ms,
            next_update: crl.next_update_ms,
            revoked: &serials,
            fingerprint: &crl.fingerprint,
            pem: &crl.pem,
            imported_by: ctx.actor.map(|a| a.user_id),
            imported_name: &by_name,
            imported_at: now,
        },
    )
    .await
    .map_err(|e| match e {
        zwfw_store::StoreError::Duplicate(_) => AppError::new(Kind::Conflict, "crl_older"),
        e => e.into(),
    })?;
    for (r, u, sessions, centre) in &to_block {
        let at = crl.revoked.iter().find(|(s, _)| *s == r.serial).map(|(_, at)| *at).unwrap_or(now);
        let reason = format!(
            "证书签发机构已吊销该证书（吊销时间{}，吊销列表生成于{}）",
            zwfw_domain::time::format_local(at),
            zwfw_domain::time::format_local(crl.this_update_ms)
        );
        let blocking = Blocking { state: Report::CaRevoked, reason: &reason, by_name: &by_name, tell_holder: true };
        block(ctx, &mut tx, r, u, &blocking, sessions, centre).await?;
        outcome.blocked.push(r.id);
    }
    let detail = json!({"crl_id": id, "issuer": crl.issuer, "fingerprint": crl.fingerprint,
        "this_update": zwfw_domain::time::format_rfc3339(crl.this_update_ms),
        "next_update": crl.next_update_ms.map(zwfw_domain::time::format_rfc3339),
        "revoked": serials.len(), "blocked": outcome.blocked});
    ctx.audit(&mut tx, ctx.entry("certificate_crl_imported", "certificate_crl", id, detail, "")).await?;
    tx.commit().await?;
    outcome.imported = true;
    Ok(outcome)
}

/// Whether the CA's latest revocation list held names the certificate.
async fn revoked_by_ca(st: &App, issuer: &str, serial: &str) -> AppResult<bool> {
    Ok(sc::latest_crl(st.store.pool(), issuer).await?.is_some_and(|c| c.revoked.iter().any(|s| s == serial)))
}

/// The background job's look at `[certificates] crl_file`: the list there is
/// imported when it is not the one held; a refused one is logged once.
pub async fn refresh_crl(st: &App) -> AppResult<()> {
    let Some(path) = st.config.certificates.crl_file.clone() else { return Ok(()) };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            st.config.certificates.warn_once(format!("read:{e}"), || {
                tracing::warn!(file = %path.display(), error = %e, "cannot read certificates.crl_file");
            });
            return Ok(());
        }
    };
    let ctx = Ctx { state: st, actor: None, client_addr: "system".into() };
    match import_crl(&ctx, &bytes).await {
        Ok(o) if o.imported => {
            tracing::info!(file = %path.display(), blocked = o.blocked.len(), revoked = o.revoked, "certificate revocation list imported");
        }
        Ok(_) => {}
        Err(e) if matches!(e.kind(), Kind::Invalid | Kind::Conflict) => {
            let key = format!("{}:{}", e.code(), zwfw_domain::audit::sm3_hex(&bytes));
            st.config.certificates.warn_once(key, || {
                tracing::warn!(file = %path.display(), code = %e.code(), error = %e.message(), "certificates.crl_file refused; nothing changed");
            });
        }
        Err(e) => return Err(e),
    }
    Ok(())
}

// ---------- sign-in ----------

/// A challenge to sign with the certificate.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = CertificateChallenge)]
pub struct ChallengeView {
    /// The text to sign, as its UTF-8 bytes, with SM2 (SM3 digest,
    /// distinguishing ID `1234567812345678`).
    pub challenge: String,
    /// Until when it may be answered (epoch ms); it may be answered once.
    pub expires_at: i64,
    /// The certificate that must sign it.
    pub certificate_serial: String,
    pub certificate_subject: String,
    /// The certificate's SM3 fingerprint (hex): a signing service holding several picks by it.
    pub certificate_fingerprint: String,
    /// Where the page's script asks the local signing service.
    pub signing_service: String,
}

/// Issues a single-use challenge to a session waiting for its second
/// factor, for the holder's usable certificate.
pub async fn challenge(ctx: &Ctx<'_>, s: &SessionCtx) -> AppResult<ChallengeView> {
    let st = ctx.state;
    let cert = usable(st, s.user.id).await?.ok_or_else(|| AppError::new(Kind::Conflict, "no_certificate"))?;
    let nonce = crate::accounts::sessions::random_token(32);
    let now = ctx.now();
    let expires_at = now + dc::CHALLENGE_SECONDS * 1000;
    let mut tx = st.store.begin().await?;
    sc::insert_challenge(
        &mut tx,
        &sc::NewChallenge {
            nonce: &nonce,
            session_id: s.session.id,
            user_id: s.user.id,
            certificate_id: cert.id,
            created_at: now,
            expires_at,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(ChallengeView {
        challenge: dc::challenge_text(&nonce),
        expires_at,
        certificate_serial: cert.serial,
        certificate_subject: cert.subject,
        certificate_fingerprint: cert.fingerprint,
        signing_service: st.config.certificates.signing_service.clone(),
    })
}

/// A signature as sent: base64 or hex of the DER or of r‖s.
fn signature_bytes(text: &str) -> Option<Vec<u8>> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if !t.is_empty() && t.len().is_multiple_of(2) && t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return hex::decode(&t).ok();
    }
    data_encoding::BASE64.decode(t.as_bytes()).ok()
}

/// Completes a sign-in waiting for its second factor with the signature of
/// a challenge issued to this session. A challenge is answered once: a
/// replay, an expired challenge, a blocked certificate or a wrong signature
/// are refused, and a wrong signature counts as a failed sign-in.
pub async fn sign_in(ctx: &Ctx<'_>, s: &SessionCtx, challenge: &str, signature: &str) -> AppResult<()> {
    let st = ctx.state;
    let nonce = challenge.trim().strip_prefix(dc::CHALLENGE_PREFIX).unwrap_or(challenge.trim());
    let c = sc::challenge_by_nonce(st.store.pool(), nonce)
        .await?
        .filter(|c| c.user_id == s.user.id)
        .ok_or_else(|| AppError::new(Kind::Invalid, "challenge_unknown"))?;
    let now = ctx.now();
    let cert = sc::get(st.store.pool(), c.certificate_id).await?;
    let standing = standing(&cert, now);
    let facts = dc::Challenge { session_id: c.session_id, expires_at_ms: c.expires_at, used: c.used_at.is_some() };
    match dc::check_challenge(&facts, s.session.id, now) {
        Err(dc::ChallengeError::Unknown) => return Err(AppError::new(Kind::Invalid, "challenge_unknown")),
        // A blocked certificate is named as such, even when its report closed the challenge.
        _ if !standing.usable() => {}
        Err(dc::ChallengeError::Used) => return Err(AppError::new(Kind::Conflict, "challenge_used")),
        Err(dc::ChallengeError::Expired) => return Err(AppError::new(Kind::Invalid, "challenge_expired")),
        Ok(()) => {}
    }
    let text = dc::challenge_text(&c.nonce);
    let good = standing.usable()
        && signature_bytes(signature).is_some_and(|sig| {
            hex::decode(&cert.public_key).is_ok_and(|key| x509::verifies(&key, text.as_bytes(), &sig))
        });
    let outcome = match (standing.usable(), good) {
        (false, _) => "blocked",
        (true, false) => "bad_signature",
        (true, true) => "signed_in",
    };
    let mut tx = st.store.begin().await?;
    if !sc::use_challenge(&mut tx, c.id, outcome, now).await? && standing.usable() {
        return Err(AppError::new(Kind::Conflict, "challenge_used"));
    }
    if !standing.usable() {
        let e = ctx.entry(
            action::LOGIN_FAILED,
            "session",
            s.session.id,
            json!({"cause": "certificate", "certificate_id": cert.id, "standing": standing.code()}),
            "",
        );
        ctx.audit(&mut tx, e).await?;
        tx.commit().await?;
        return Err(AppError::with_detail(Kind::Forbidden, "certificate_unusable", standing.code()));
    }
    if !good {
        let outcome = st.config.policy.after_failure(s.user.failed_logins, now);
        store_admin::record_login_failure(&mut tx, s.user.id, outcome.failures, outcome.locked_until_ms).await?;
        let e = ctx.entry(
            action::LOGIN_FAILED,
            "session",
            s.session.id,
            json!({"cause": "certificate_signature", "certificate_id": cert.id}),
            "",
        );
        ctx.audit(&mut tx, e).await?;
        if outcome.locked_until_ms.is_some() {
            zwfw_store::auth::end_session(&mut tx, s.session.id, "locked", now).await?;
            let e = ctx.entry(action::ACCOUNT_LOCKED, "user", s.user.id, json!({"cause": "certificate"}), "");
            ctx.audit(&mut tx, e).await?;
        }
        tx.commit().await?;
        return Err(AppError::new(Kind::Invalid, "invalid_certificate_signature"));
    }
    zwfw_store::auth::complete_mfa(&mut tx, s.session.id, now).await?;
    store_admin::record_login_success(&mut tx, s.user.id).await?;
    let e = ctx.entry(
        action::LOGIN,
        "session",
        s.session.id,
        json!({"second_factor": "certificate", "certificate_id": cert.id, "serial": cert.serial}),
        "",
    );
    ctx.audit(&mut tx, e).await?;
    tx.commit().await?;
    Ok(())
}

// ---------- the demo CA ----------

/// A key and certificate issued by the demo CA.
pub struct Issued {
    pub certificate_pem: String,
    pub key_pem: String,
}

/// The demo CA of a folder: `ca.pem` and `ca.key`, made on first use (a
/// self-signed SM2 CA named 示例市数字证书演示CA, valid 20 years).
pub fn demo_ca(dir: &std::path::Path, now_ms: i64) -> Result<(String, sm2::SecretKey), String> {
    let (cert_path, key_path) = (dir.join("ca.pem"), dir.join("ca.key"));
    if cert_path.exists() && key_path.exists() {
        let pem = std::fs::read_to_string(&cert_path).map_err(|e| format!("{}: {e}", cert_path.display()))?;
        let key_text = std::fs::read_to_string(&key_path).map_err(|e| format!("{}: {e}", key_path.display()))?;
        let key = x509::read_key(&key_text).map_err(|e| format!("{}: {e}", key_path.display()))?;
        let ca = x509::read(pem.as_bytes()).map_err(|_| format!("{}: not an SM2 certificate", cert_path.display()))?;
        return Ok((ca.subject, key));
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let key = sm2::SecretKey::random(&mut rand::rngs::OsRng);
    let name = "CN=示例市数字证书演示CA,O=示例市,C=CN";
    let pem = x509::issue(
        &x509::Issue {
            subject: name,
            not_before_ms: now_ms - 86_400_000,
            not_after_ms: now_ms + 20 * 365 * 86_400_000,
            key: &key.public_key(),
            ca: true,
        },
        name,
        &key,
    )
    .map_err(|e| e.to_string())?;
    let key_text = x509::key_pem(&key).map_err(|e| e.to_string())?;
    std::fs::write(&key_path, key_text).map_err(|e| format!("{}: {e}", key_path.display()))?;
    std::fs::write(&cert_path, pem).map_err(|e| format!("{}: {e}", cert_path.display()))?;
    let ca = x509::read(std::fs::read(&cert_path).map_err(|e| e.to_string())?.as_slice())
        .map_err(|_| "the demo CA certificate does not read back".to_string())?;
    Ok((ca.subject, key))
}

/// Issues a new key and a certificate for `subject` (RFC 4514 text, e.g.
/// `CN=李娜,OU=市场监督管理局,O=示例市`) valid from `not_before_ms` to
/// `not_after_ms`, signed by the CA named `ca_name` with `ca_key`.
pub fn issue_with_key(
    subject: &str,
    not_before_ms: i64,
    not_after_ms: i64,
    ca_name: &str,
    ca_key: &sm2::SecretKey,
) -> Result<Issued, String> {
    let key = sm2::SecretKey::random(&mut rand::rngs::OsRng);
    let certificate_pem = x509::issue(
        &x509::Issue { subject, not_before_ms, not_after_ms, key: &key.public_key(), ca: false },
        ca_name,
        ca_key,
    )
    .map_err(|e| e.to_string())?;
    Ok(Issued { certificate_pem, key_pem: x509::key_pem(&key).map_err(|e| e.to_string())? })
}

// ---------- expiry reminders ----------

/// How long before its end a certificate's holder is reminded to have a new one issued.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

/// Reminds, once per certificate, the holder and the service centre of a
/// usable certificate that expires within [`EXPIRY_WARNING_DAYS`] (承德 004
/// 第二十一条: an expired certificate is handled through the approval
/// office, better before it expires). Run by the background job; the number
/// of reminders sent.
pub async fn remind_expiring(st: &App) -> AppResult<usize> {
    let now = st.now_ms();
    let until = now + EXPIRY_WARNING_DAYS * 86_400_000;
    let due = sc::expiring_unreminded(st.store.pool(), now, until).await?;
    if due.is_empty() {
        return Ok(0);
    }
    let staff = store_admin::list_staff(&st.store, None).await?;
    let centre: Vec<i64> =
        staff.iter().filter(|c| c.active && c.roles.contains(&Role::CenterAdmin)).map(|c| c.id).collect();
    let ctx = Ctx { state: st, actor: None, client_addr: "system".into() };
    let mut sent = 0;
    for r in due {
        let Some(u) = staff.iter().find(|u| u.id == r.user_id && u.active) else { continue };
        let mut tx = st.store.begin().await?;
        if !sc::add_reminder(&mut tx, r.id, u.id, r.not_after, now).await? {
            continue;
        }
        let ends = zwfw_domain::time::format_local(r.not_after);
        let title = format!("数字证书即将到期：{}（序列号{}）", u.display_name, r.serial);
        let body = format!(
            "{}的数字证书（序列号{}）有效期至{ends}，到期后不能再用于登录。请及时向证书签发机构申请新证书，并由政务服务中心登记（补办）。",
            u.display_name, r.serial
        );
        zwfw_store::interaction::notify_users(&mut tx, &[u.id], &title, &body, "/account#certificates", now).await?;
        let others: Vec<i64> = centre.iter().copied().filter(|c| *c != u.id).collect();
        let link = format!("/admin/users/{}/certificates", u.id);
        zwfw_store::interaction::notify_users(&mut tx, &others, &title, &body, &link, now).await?;
        let notified: Vec<i64> = std::iter::once(u.id).chain(others.iter().copied()).collect();
        let detail = json!({"certificate_id": r.id, "serial": r.serial,
            "not_after": zwfw_domain::time::format_rfc3339(r.not_after), "notified": notified});
        ctx.audit(&mut tx, ctx.entry("certificate_expiry_reminded", "user", u.id, detail, "")).await?;
        tx.commit().await?;
        sent += 1;
    }
    Ok(sent)
}
