//! Configuration: defaults, then a TOML file, then `ZWFW_*` environment
//! variables, then command-line flags (clap reads the flag or its variable).

use anyhow::{Context, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use zwfw_domain::auth::SecurityPolicy;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_DATA_DIR: &str = "./zwfw-data";

/// The file layer: every field optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub demo: Option<bool>,
    pub now: Option<String>,
    pub clock_offset: Option<String>,
    pub secure_cookies: Option<bool>,
    pub site_name: Option<String>,
    pub security: Option<SecurityPolicy>,
    pub sms: Option<SmsFile>,
    pub smtp: Option<SmtpFile>,
    pub licenses: Option<LicensesFile>,
    pub registry: Option<RegistryFile>,
    pub exchange: Option<ExchangeFile>,
    pub audit: Option<AuditFile>,
    pub backup: Option<BackupFile>,
    pub handover: Option<HandoverFile>,
    pub lookups: Option<LookupsFile>,
    pub certificates: Option<CertificatesFile>,
    pub database: Option<DatabaseFile>,
    /// Reverse proxies whose `X-Forwarded-For` is believed (addresses or networks).
    pub trusted_proxies: Option<Vec<String>>,
}

/// `[sms]`: the SMS gateway (see the README). Each key can also come from
/// `ZWFW_SMS_URL`, `ZWFW_SMS_TOKEN`, `ZWFW_SMS_SIGNATURE`, `ZWFW_SMS_LINK_BASE`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsFile {
    pub url: Option<String>,
    pub token: Option<String>,
    pub signature: Option<String>,
    pub link_base: Option<String>,
    pub timeout_ms: Option<u64>,
}

/// `[exchange]`: the 前置库 the province collects from (数据交换). `url`
/// can also come from `ZWFW_EXCHANGE_URL` (which wins), `codes.guid_prefix`
/// (the installation's code) from `ZWFW_EXCHANGE_GUID_PREFIX`; `[exchange.codes]`
/// sets the code values no national list fixes (see docs/areas/exchange.md).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangeFile {
    pub url: Option<String>,
    pub batch: Option<i64>,
    pub poll_ms: Option<u64>,
    pub lease_ms: Option<i64>,
    pub timeout_ms: Option<u64>,
    pub feedback_poll_ms: Option<u64>,
    pub codes: Option<zwfw_domain::exchange::Codes>,
}

/// `[handover]`: 审管交互. `claim_days` (or `ZWFW_HANDOVER_CLAIM_DAYS`,
/// which wins): the working days a regulator has to claim a pushed record
/// (1–30, default 2).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandoverFile {
    pub claim_days: Option<u32>,
}

/// `[lookups]`: how many public look-ups one client address may make in 15
/// minutes (0: no limit): `license_checks` (licence verifications and QR
/// checks not signed in, default 60), `credit` (the 双公示 list's pages and
/// workbooks not signed in, default 300), `track` (case tracking, default
/// 120); or `ZWFW_LOOKUPS_LICENSE_CHECKS`, `ZWFW_LOOKUPS_CREDIT`,
/// `ZWFW_LOOKUPS_TRACK`, which win.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LookupsFile {
    pub license_checks: Option<u32>,
    pub credit: Option<u32>,
    pub track: Option<u32>,
}

/// The look-up limits from the file and the environment (the environment
/// wins); checked here, at start.
pub fn lookups(
    file: Option<LookupsFile>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<zwfw_app::lookups::LookupLimits> {
    let file = file.unwrap_or_default();
    let d = zwfw_app::lookups::LookupLimits::default();
    let pick = |var: &str, key: &str, v: Option<u32>, default: u32| -> Result<u32> {
        let n = match env(var).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) {
            Some(s) => s.parse::<u32>().map_err(|_| anyhow::anyhow!("{var} must be a whole number (got {s:?})"))?,
            None => v.unwrap_or(default),
        };
        if n > 1_000_000 {
            anyhow::bail!("invalid lookups.{key}: {n} (0 for no limit, at most 1000000 in 15 minutes)");
        }
        Ok(n)
    };
    Ok(zwfw_app::lookups::LookupLimits {
        license_checks: pick("ZWFW_LOOKUPS_LICENSE_CHECKS", "license_checks", file.license_checks, d.license_checks)?,
        credit: pick("ZWFW_LOOKUPS_CREDIT", "credit", file.credit, d.credit)?,
        track: pick("ZWFW_LOOKUPS_TRACK", "track", file.track, d.track)?,
    })
}

/// `[certificates]`: staff certificates (数字证书). `ca_file` (or
/// `ZWFW_CERTIFICATES_CA_FILE`, which wins): the CA certificate (PEM or
/// DER, SM2) a registered certificate must be issued by; none: any issuer.
/// `signing_service` (or `ZWFW_CERTIFICATES_SIGNING_SERVICE`): the address
/// of the certificate vendor's local signing service the sign-in page's
/// script posts the challenge to (see docs/areas/certificates.md).
/// `crl_file` (or `ZWFW_CERTIFICATES_CRL_FILE`): where the CA's revocation
/// list is put; the background job imports it when it changes.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificatesFile {
    pub ca_file: Option<PathBuf>,
    pub signing_service: Option<String>,
    pub crl_file: Option<PathBuf>,
}

/// The certificate settings from the file and the environment (the
/// environment wins); the CA is read and checked here, at start.
pub fn certificates(
    file: Option<CertificatesFile>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<zwfw_app::accounts::certificates::CertificatesConfig> {
    let file = file.unwrap_or_default();
    let pick = |var: &str, v: Option<String>| env(var).or(v).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let mut c = zwfw_app::accounts::certificates::CertificatesConfig::default();
    if let Some(url) = pick("ZWFW_CERTIFICATES_SIGNING_SERVICE", file.signing_service) {
        if !(url.starts_with("http://") || url.starts_with("https://")) || url.contains([' ', '"', '<', '>']) {
            anyhow::bail!("invalid certificates.signing_service: an http(s):// address");
        }
        c.signing_service = url;
    }
    if let Some(p) = pick("ZWFW_CERTIFICATES_CA_FILE", file.ca_file.map(|p| p.display().to_string())) {
        let bytes = std::fs::read(&p).with_context(|| format!("cannot read certificates.ca_file {p}"))?;
        c = c.with_ca(&bytes).map_err(|e| anyhow::anyhow!("invalid certificates.ca_file {p}: {e}"))?;
    }
    if let Some(p) = pick("ZWFW_CERTIFICATES_CRL_FILE", file.crl_file.map(|p| p.display().to_string())) {
        if c.ca.is_none() {
            anyhow::bail!(
                "certificates.crl_file needs certificates.ca_file: the CA whose signature the list must bear"
            );
        }
        c.crl_file = Some(PathBuf::from(p));
    }
    Ok(c)
}

/// The 审管交互 settings from the file and the environment (the environment
/// wins); checked here, at start.
pub fn handover(
    file: Option<HandoverFile>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<zwfw_app::handover::HandoverConfig> {
    let file = file.unwrap_or_default();
    let days = match env("ZWFW_HANDOVER_CLAIM_DAYS").map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) {
        Some(s) => Some(
            s.parse::<u32>().map_err(|_| anyhow::anyhow!("ZWFW_HANDOVER_CLAIM_DAYS must be a number (got {s:?})"))?,
        ),
        None => file.claim_days,
    };
    let claim_days = days.unwrap_or(zwfw_domain::handover::DEFAULT_CLAIM_DAYS);
    if !(1..=30).contains(&claim_days) {
        anyhow::bail!("invalid handover.claim_days: {claim_days} (1 to 30 working days)");
    }
    Ok(zwfw_app::handover::HandoverConfig { claim_days })
}

/// The exchange settings from the file and the environment (the
/// environment wins); checked here, at start.
pub fn exchange(
    file: Option<ExchangeFile>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<zwfw_app::exchange::ExchangeConfig> {
    let file = file.unwrap_or_default();
    let d = zwfw_app::exchange::ExchangeConfig::default();
    let c = zwfw_app::exchange::ExchangeConfig {
        url: env("ZWFW_EXCHANGE_URL").or(file.url).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
        batch: file.batch.unwrap_or(d.batch),
        poll_ms: file.poll_ms.unwrap_or(d.poll_ms),
        lease_ms: file.lease_ms.unwrap_or(d.lease_ms),
        timeout_ms: file.timeout_ms.unwrap_or(d.timeout_ms),
        feedback_poll_ms: file.feedback_poll_ms.unwrap_or(d.feedback_poll_ms),
        codes: file.codes.unwrap_or_default(),
        derive: d.derive,
    };
    // The installation's code (its packages name it) may come from the environment.
    let mut c = c;
    if let Some(p) = env("ZWFW_EXCHANGE_GUID_PREFIX").map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) {
        c.codes.guid_prefix = p;
    }
    c.check().map_err(|e| anyhow::anyhow!("invalid exchange settings: {e}"))?;
    Ok(c)
}

/// `[database]`: the bounds of every wait on a PostgreSQL server (unused
/// on SQLite), each a duration such as `500ms`, `5s`, `2m`. Each key can
/// also come from `ZWFW_DATABASE_CONNECT_TIMEOUT`,
/// `ZWFW_DATABASE_ACQUIRE_TIMEOUT`, `ZWFW_DATABASE_STATEMENT_TIMEOUT`,
/// `ZWFW_DATABASE_KEEPALIVE` or the flags of the same names (which win).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseFile {
    pub connect_timeout: Option<String>,
    pub acquire_timeout: Option<String>,
    pub statement_timeout: Option<String>,
    pub keepalive: Option<String>,
}

/// A duration of the `[database]` settings: `250ms`, `5s`, `2m`, `1h`.
fn duration_of(text: &str) -> Option<std::time::Duration> {
    let t = text.trim();
    let ms = match t.strip_suffix("ms") {
        Some(n) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => n.parse::<i64>().ok(),
        Some(_) => None,
        None => zwfw_domain::time::period_ms(t),
    }?;
    u64::try_from(ms).ok().map(std::time::Duration::from_millis)
}

/// The PostgreSQL limits from the defaults, the file and the environment or
/// flags (`layer`: the flag or its variable, which win); checked here, at start.
pub fn database(file: Option<DatabaseFile>, layer: impl Fn(&str) -> Option<String>) -> Result<zwfw_store::PgLimits> {
    use std::time::Duration;
    let file = file.unwrap_or_default();
    let d = zwfw_store::PgLimits::default();
    let pick = |key: &str, var: &str, v: Option<String>, default: Duration, min: Duration, max: Duration| {
        let Some(t) = layer(var).or(v).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) else {
            return Ok(default);
        };
        let d = duration_of(&t).ok_or_else(|| {
            anyhow::anyhow!("invalid database.{key} / {var}: {t:?} is not a duration such as 5s or 500ms")
        })?;
        if d < min || d > max {
            anyhow::bail!("invalid database.{key} / {var}: {t:?} (between {min:?} and {max:?})");
        }
        Ok(d)
    };
    let (ms, s) = (Duration::from_millis, Duration::from_secs);
    Ok(zwfw_store::PgLimits {
        connect_timeout: pick(
            "connect_timeout",
            "ZWFW_DATABASE_CONNECT_TIMEOUT",
            file.connect_timeout,
            d.connect_timeout,
            ms(100),
            s(600),
        )?,
        acquire_timeout: pick(
            "acquire_timeout",
            "ZWFW_DATABASE_ACQUIRE_TIMEOUT",
            file.acquire_timeout,
            d.acquire_timeout,
            ms(100),
            s(600),
        )?,
        statement_timeout: pick(
            "statement_timeout",
            "ZWFW_DATABASE_STATEMENT_TIMEOUT",
            file.statement_timeout,
            d.statement_timeout,
            ms(100),
            s(3600),
        )?,
        keepalive: pick("keepalive", "ZWFW_DATABASE_KEEPALIVE", file.keepalive, d.keepalive, s(1), s(7200))?,
    })
}

/// `[audit]`: the audit chain's anchors outside the database. `anchor_dir`
/// (`ZWFW_AUDIT_ANCHOR_DIR`; default `<data_dir>/audit-anchors`, best on
/// another disk or host) and `anchor_interval` (`ZWFW_AUDIT_ANCHOR_INTERVAL`,
/// e.g. `15m`, `1h`; default 1h); `zwfw serve --audit-anchor-dir` and
/// `--audit-anchor-interval` win over both.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditFile {
    pub anchor_dir: Option<PathBuf>,
    pub anchor_interval: Option<String>,
}

/// The anchor settings from the file and the environment (the environment
/// wins); checked here, at start.
pub fn audit(
    file: Option<AuditFile>,
    data_dir: &Path,
    env: impl Fn(&str) -> Option<String>,
) -> Result<zwfw_app::audit::anchor::AnchorConfig> {
    let file = file.unwrap_or_default();
    let pick = |var: &str, v: Option<String>| env(var).or(v).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let dir = pick("ZWFW_AUDIT_ANCHOR_DIR", file.anchor_dir.map(|p| p.display().to_string()))
        .map(PathBuf::from)
        .unwrap_or_else(|| data_dir.join("audit-anchors"));
    let interval_ms = match pick("ZWFW_AUDIT_ANCHOR_INTERVAL", file.anchor_interval) {
        Some(t) => zwfw_app::audit::anchor::parse_interval(&t)
            .map_err(|e| anyhow::anyhow!("invalid audit.anchor_interval / ZWFW_AUDIT_ANCHOR_INTERVAL: {e}"))?,
        None => zwfw_app::audit::anchor::DEFAULT_INTERVAL_MS,
    };
    Ok(zwfw_app::audit::anchor::AnchorConfig { dir: Some(dir), interval_ms })
}

/// `[backup]`: scheduled backups and restore drills. Each key can also
/// come from `ZWFW_BACKUP_DIR`, `ZWFW_BACKUP_INTERVAL`, `ZWFW_BACKUP_KEEP`,
/// `ZWFW_BACKUP_DRILL_INTERVAL`, `ZWFW_BACKUP_ENCRYPT` (and the flags of
/// `zwfw serve` win over them).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupFile {
    pub dir: Option<PathBuf>,
    /// `24h`, `12h`, `7d` … or `off`.
    pub interval: Option<String>,
    pub keep: Option<usize>,
    pub drill_interval: Option<String>,
    pub encrypt: Option<bool>,
}

/// The backup settings from the defaults, the file and the environment
/// (the environment wins); checked here, at start.
pub fn backup(
    file: Option<BackupFile>,
    data_dir: &Path,
    env: impl Fn(&str) -> Option<String>,
) -> Result<zwfw_app::backup::schedule::BackupConfig> {
    let file = file.unwrap_or_default();
    let mut c = zwfw_app::backup::schedule::BackupConfig::defaults(data_dir);
    let pick = |var: &str| env(var).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    if let Some(d) = pick("ZWFW_BACKUP_DIR").map(PathBuf::from).or(file.dir) {
        c.dir = d;
    }
    let period = |var: &str, v: Option<String>, default: Option<i64>| -> Result<Option<i64>> {
        match pick(var).or(v) {
            Some(t) => zwfw_domain::backup::parse_period(&t)
                .map_err(|e| anyhow::anyhow!("invalid backup settings ({var}): {e}")),
            None => Ok(default),
        }
    };
    c.every_ms = period("ZWFW_BACKUP_INTERVAL", file.interval, c.every_ms)?;
    c.drill_every_ms = period("ZWFW_BACKUP_DRILL_INTERVAL", file.drill_interval, c.drill_every_ms)?;
    if let Some(k) = pick("ZWFW_BACKUP_KEEP") {
        c.keep = k.parse().map_err(|_| anyhow::anyhow!("ZWFW_BACKUP_KEEP must be a number (got {k:?})"))?;
    } else if let Some(k) = file.keep {
        c.keep = k;
    }
    if c.keep == 0 {
        anyhow::bail!("invalid backup settings: keep must be at least 1");
    }
    if let Some(e) = pick("ZWFW_BACKUP_ENCRYPT") {
        c.encrypt = Some(e == "true" || e == "1");
    } else if let Some(e) = file.encrypt {
        c.encrypt = Some(e);
    }
    Ok(c)
}

/// `[licenses]`: 电子证照. The master key (32 hexadecimal digits, SM4-128)
/// the departments' signing keys are sealed under, given in the file
/// itself, in a file of its own, or as `ZWFW_MASTER_KEY` (which wins);
/// the SM2 signer ID (`ZWFW_LICENSE_SIGNER_ID`, default 1234567812345678);
/// the public address the licences' QR codes link to
/// (`ZWFW_LICENSE_VERIFY_BASE`; when unset, the e-mail's and then the SMS's
/// `link_base`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicensesFile {
    pub master_key: Option<String>,
    pub master_key_file: Option<PathBuf>,
    pub signer_id: Option<String>,
    pub verify_base: Option<String>,
}

/// The licence settings from the file and the environment (the
/// environment wins); checked here, at start.
pub fn licenses(
    file: Option<LicensesFile>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<zwfw_app::licenses::LicensesConfig> {
    let file = file.unwrap_or_default();
    let from_file = match (&file.master_key, &file.master_key_file) {
        (Some(k), _) => Some(k.clone()),
        (None, Some(p)) => Some(
            std::fs::read_to_string(p)
                .with_context(|| format!("cannot read licenses.master_key_file {}", p.display()))?,
        ),
        (None, None) => None,
    };
    let master_key = match env("ZWFW_MASTER_KEY").or(from_file).filter(|k| !k.trim().is_empty()) {
        Some(k) => Some(
            zwfw_app::licenses::MasterKey::from_hex(&k)
                .map_err(|e| anyhow::anyhow!("invalid ZWFW_MASTER_KEY / licenses.master_key: {e}"))?,
        ),
        None => None,
    };
    let signer_id = env("ZWFW_LICENSE_SIGNER_ID")
        .or(file.signer_id)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| zwfw_app::licenses::DEFAULT_SIGNER_ID.to_string());
    if signer_id.len() > 100 || !signer_id.is_ascii() {
        anyhow::bail!("invalid licenses.signer_id: at most 100 ASCII characters");
    }
    let verify_base = env("ZWFW_LICENSE_VERIFY_BASE")
        .or(file.verify_base)
        .map(|s| s.trim().trim_end_matches('/').to_string())
        .unwrap_or_default();
    if !verify_base.is_empty()
        && (!(verify_base.starts_with("https://") || verify_base.starts_with("http://"))
            || verify_base.contains(['?', '#', ' ']))
    {
        anyhow::bail!("invalid licenses.verify_base: an http(s):// address without query or fragment");
    }
    Ok(zwfw_app::licenses::LicensesConfig { master_key, signer_id, verify_base })
}

/// `[smtp]`: the SMTP server e-mail notices go through. Each key can also
/// come from `ZWFW_SMTP_HOST`, `ZWFW_SMTP_PORT`, `ZWFW_SMTP_TLS`,
/// `ZWFW_SMTP_USER`, `ZWFW_SMTP_PASSWORD`, `ZWFW_SMTP_FROM`,
/// `ZWFW_SMTP_TIMEOUT_MS`, `ZWFW_SMTP_LINK_BASE`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpFile {
    pub host: Option<String>,
    pub port: Option<u16>,
    /// starttls (default) | none
    pub tls: Option<String>,
    pub user: Option<String>,
    pub password: Option<String>,
    pub from: Option<String>,
    pub timeout_ms: Option<u64>,
    pub link_base: Option<String>,
}

/// `[registry]`: the 人口库 / 法人库's watched folder and look-up service.
/// Each key can also come from `ZWFW_REGISTRY_WATCH_DIR`,
/// `ZWFW_REGISTRY_LOOKUP_URL`, `ZWFW_REGISTRY_LOOKUP_TOKEN`,
/// `ZWFW_REGISTRY_LOOKUP_TIMEOUT_MS` (and the first two from the flags of
/// `zwfw serve`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryFile {
    pub watch_dir: Option<PathBuf>,
    pub lookup_url: Option<String>,
    pub lookup_token: Option<String>,
    pub lookup_timeout_ms: Option<u64>,
}

impl FileConfig {
    pub fn load(path: Option<&Path>) -> Result<FileConfig> {
        match path {
            None => Ok(FileConfig::default()),
            Some(p) => {
                let text =
                    std::fs::read_to_string(p).with_context(|| format!("cannot read config file {}", p.display()))?;
                toml::from_str(&text).with_context(|| format!("invalid config file {}", p.display()))
            }
        }
    }
}

/// The resolved settings.
#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: String,
    pub data_dir: PathBuf,
    pub database_url: String,
    /// The bounds of every wait on a PostgreSQL server.
    pub database_limits: zwfw_store::PgLimits,
    pub demo: bool,
    pub now: Option<String>,
    pub clock_offset: Option<String>,
    pub secure_cookies: bool,
    pub site_name: String,
    pub policy: SecurityPolicy,
    pub sms: Option<zwfw_app::outbox::sms::SmsConfig>,
    pub smtp: Option<zwfw_app::outbox::email::SmtpConfig>,
    pub licenses: zwfw_app::licenses::LicensesConfig,
    pub registry: zwfw_app::registry::RegistryConfig,
    pub exchange: zwfw_app::exchange::ExchangeConfig,
    pub audit: zwfw_app::audit::anchor::AnchorConfig,
    pub backup: zwfw_app::backup::schedule::BackupConfig,
    pub handover: zwfw_app::handover::HandoverConfig,
    pub lookups: zwfw_app::lookups::LookupLimits,
    pub certificates: zwfw_app::accounts::certificates::CertificatesConfig,
    pub trusted_proxies: Vec<zwfw_web::http::proxies::ProxyNet>,
}

/// The trusted proxies: `ZWFW_TRUSTED_PROXIES` (comma-separated) if set,
/// else the file's list; none by default. Checked here, at start.
pub fn trusted_proxies(
    file: Option<Vec<String>>,
    env: Option<String>,
) -> Result<Vec<zwfw_web::http::proxies::ProxyNet>> {
    let r = match env {
        Some(v) => zwfw_web::http::proxies::parse_list(&v),
        None => file.unwrap_or_default().iter().map(|p| p.parse()).collect(),
    };
    r.map_err(|e| anyhow::anyhow!("invalid trusted_proxies / ZWFW_TRUSTED_PROXIES: {e}"))
}

/// The SMS gateway from the file and the environment (the environment wins);
/// none without an address. The settings are checked here, at start.
pub fn sms(
    file: Option<SmsFile>,
    site_name: &str,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Option<zwfw_app::outbox::sms::SmsConfig>> {
    let file = file.unwrap_or_default();
    let pick = |var: &str, v: Option<String>| env(var).or(v).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let Some(url) = pick("ZWFW_SMS_URL", file.url) else {
        return Ok(None);
    };
    let c = zwfw_app::outbox::sms::SmsConfig {
        url,
        token: pick("ZWFW_SMS_TOKEN", file.token),
        signature: pick("ZWFW_SMS_SIGNATURE", file.signature).unwrap_or_else(|| site_name.to_string()),
        link_base: pick("ZWFW_SMS_LINK_BASE", file.link_base).unwrap_or_default().trim_end_matches('/').to_string(),
        timeout_ms: file.timeout_ms.unwrap_or(5_000),
    };
    c.check().map_err(|e| anyhow::anyhow!("invalid SMS gateway settings: {e}"))?;
    Ok(Some(c))
}

/// The SMTP server from the file and the environment (the environment wins);
/// none without a host. The settings are checked here, at start.
pub fn smtp(
    file: Option<SmtpFile>,
    site_name: &str,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Option<zwfw_app::outbox::email::SmtpConfig>> {
    use zwfw_app::outbox::email::{SmtpConfig, SmtpTls};
    let file = file.unwrap_or_default();
    let pick = |var: &str, v: Option<String>| env(var).or(v).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let Some(host) = pick("ZWFW_SMTP_HOST", file.host) else {
        return Ok(None);
    };
    let number = |var: &str, v: Option<u64>| -> Result<Option<u64>> {
        match env(var).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) {
            Some(s) => Ok(Some(s.parse().map_err(|_| anyhow::anyhow!("{var} must be a number (got {s:?})"))?)),
            None => Ok(v),
        }
    };
    let tls_text = pick("ZWFW_SMTP_TLS", file.tls).unwrap_or_else(|| "starttls".into());
    let tls = SmtpTls::parse(&tls_text).ok_or_else(|| {
        anyhow::anyhow!("invalid SMTP settings: smtp.tls must be starttls or none (got {tls_text:?})")
    })?;
    let port = number("ZWFW_SMTP_PORT", file.port.map(u64::from))?.unwrap_or(match tls {
        SmtpTls::Starttls => 587,
        SmtpTls::None => 25,
    });
    let c = SmtpConfig {
        host,
        port: u16::try_from(port).map_err(|_| anyhow::anyhow!("invalid SMTP settings: smtp.port {port}"))?,
        tls,
        user: pick("ZWFW_SMTP_USER", file.user),
        password: pick("ZWFW_SMTP_PASSWORD", file.password),
        from: pick("ZWFW_SMTP_FROM", file.from)
            .ok_or_else(|| anyhow::anyhow!("invalid SMTP settings: smtp.from is required"))?,
        timeout_ms: number("ZWFW_SMTP_TIMEOUT_MS", file.timeout_ms)?.unwrap_or(10_000),
        link_base: pick("ZWFW_SMTP_LINK_BASE", file.link_base).unwrap_or_default().trim_end_matches('/').to_string(),
        signature: site_name.to_string(),
    };
    c.check().map_err(|e| anyhow::anyhow!("invalid SMTP settings: {e}"))?;
    Ok(Some(c))
}

/// The registry's settings from the file and the environment (the
/// environment wins); checked here, at start.
pub fn registry(
    file: Option<RegistryFile>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<zwfw_app::registry::RegistryConfig> {
    let file = file.unwrap_or_default();
    let pick = |var: &str, v: Option<String>| env(var).or(v).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let watch_dir = pick("ZWFW_REGISTRY_WATCH_DIR", file.watch_dir.map(|p| p.display().to_string())).map(PathBuf::from);
    let timeout_ms = match pick("ZWFW_REGISTRY_LOOKUP_TIMEOUT_MS", None) {
        Some(t) => {
            t.parse().map_err(|_| anyhow::anyhow!("ZWFW_REGISTRY_LOOKUP_TIMEOUT_MS must be a number (got {t:?})"))?
        }
        None => file.lookup_timeout_ms.unwrap_or(3_000),
    };
    let lookup = match pick("ZWFW_REGISTRY_LOOKUP_URL", file.lookup_url) {
        None => None,
        Some(url) => {
            let c = zwfw_app::registry::lookup::LookupConfig {
                url,
                token: pick("ZWFW_REGISTRY_LOOKUP_TOKEN", file.lookup_token),
                timeout_ms,
            };
            c.check().map_err(|e| anyhow::anyhow!("invalid registry settings: {e}"))?;
            Some(c)
        }
    };
    Ok(zwfw_app::registry::RegistryConfig { watch_dir, lookup })
}

/// Builds the default SQLite URL for a data directory (created if missing).
pub fn sqlite_url(data_dir: &Path) -> Result<String> {
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create data directory {}", data_dir.display()))?;
    let abs = data_dir.canonicalize().unwrap_or_else(|_| data_dir.to_path_buf());
    Ok(format!("sqlite://{}", abs.join("zwfw.db").display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_file_layer() {
        let c: FileConfig =
            toml::from_str("listen = \"0.0.0.0:9000\"\ndemo = true\n[security]\nlockout_minutes = 30\n").unwrap();
        assert_eq!(c.listen.as_deref(), Some("0.0.0.0:9000"));
        assert_eq!(c.security.unwrap().lockout_minutes, 30);
        assert!(toml::from_str::<FileConfig>("lisen = 1").is_err(), "unknown keys are refused");
    }

    #[test]
    fn smtp_server_from_file_and_environment() {
        let none = |_: &str| None;
        assert_eq!(smtp(None, "示例市", none).unwrap(), None, "no host: no sender");
        let c: FileConfig = toml::from_str(
            "[smtp]\nhost = \"mail.example.gov.cn\"\nfrom = \"政务服务 <noreply@example.gov.cn>\"\ntls = \"none\"\n",
        )
        .unwrap();
        let env = |k: &str| (k == "ZWFW_SMTP_PORT").then(|| "2525".to_string());
        let s = smtp(c.smtp, "示例市政务服务平台", env).unwrap().unwrap();
        assert_eq!(
            (s.host.as_str(), s.port, s.timeout_ms),
            ("mail.example.gov.cn", 2525, 10_000),
            "the environment wins"
        );
        assert_eq!(s.tls, zwfw_app::outbox::email::SmtpTls::None);
        assert_eq!(s.signature, "示例市政务服务平台");
        let env = |k: &str| match k {
            "ZWFW_SMTP_HOST" => Some("mail.example.gov.cn".to_string()),
            "ZWFW_SMTP_FROM" => Some("noreply@example.gov.cn".to_string()),
            _ => None,
        };
        let s = smtp(None, "x", env).unwrap().unwrap();
        assert_eq!((s.port, s.tls), (587, zwfw_app::outbox::email::SmtpTls::Starttls), "STARTTLS by default");
        let env = |k: &str| match k {
            "ZWFW_SMTP_HOST" => Some("mail.example.gov.cn".to_string()),
            "ZWFW_SMTP_TLS" => Some("ssl".to_string()),
            _ => None,
        };
        assert!(smtp(None, "x", env).unwrap_err().to_string().contains("starttls or none"));
        let env = |k: &str| (k == "ZWFW_SMTP_HOST").then(|| "mail.example.gov.cn".to_string());
        assert!(smtp(None, "x", env).unwrap_err().to_string().contains("smtp.from"));
    }

    #[test]
    fn registry_from_file_and_environment() {
        let none = |_: &str| None;
        assert_eq!(registry(None, none).unwrap(), zwfw_app::registry::RegistryConfig::default(), "nothing by default");
        let c: FileConfig =
            toml::from_str("[registry]\nwatch_dir = \"/srv/zwfw/registry\"\nlookup_url = \"http://10.0.0.7/lookup\"\n")
                .unwrap();
        let env = |k: &str| (k == "ZWFW_REGISTRY_LOOKUP_TIMEOUT_MS").then(|| "500".to_string());
        let r = registry(c.registry, env).unwrap();
        assert_eq!(r.watch_dir.as_deref(), Some(Path::new("/srv/zwfw/registry")));
        let l = r.lookup.unwrap();
        assert_eq!((l.url.as_str(), l.timeout_ms, l.token), ("http://10.0.0.7/lookup", 500, None));
        let env = |k: &str| (k == "ZWFW_REGISTRY_LOOKUP_URL").then(|| "ftp://x".to_string());
        assert!(registry(None, env).unwrap_err().to_string().contains("http://"));
        let env = |k: &str| (k == "ZWFW_REGISTRY_WATCH_DIR").then(|| "/tmp/in".to_string());
        assert_eq!(registry(None, env).unwrap().watch_dir.as_deref(), Some(Path::new("/tmp/in")), "the environment");
    }

    #[test]
    fn audit_anchors_from_file_and_environment() {
        let none = |_: &str| None;
        let data = Path::new("/srv/zwfw");
        let d = audit(None, data, none).unwrap();
        assert_eq!(d.dir.as_deref(), Some(Path::new("/srv/zwfw/audit-anchors")), "beside the data by default");
        assert_eq!(d.interval_ms, 3_600_000);
        let c: FileConfig =
            toml::from_str("[audit]\nanchor_dir = \"/mnt/anchors\"\nanchor_interval = \"15m\"\n").unwrap();
        let a = audit(c.audit, data, none).unwrap();
        assert_eq!((a.dir.as_deref(), a.interval_ms), (Some(Path::new("/mnt/anchors")), 900_000));
        let env = |k: &str| match k {
            "ZWFW_AUDIT_ANCHOR_DIR" => Some("/nfs/zwfw-anchors".to_string()),
            "ZWFW_AUDIT_ANCHOR_INTERVAL" => Some("2h".to_string()),
            _ => None,
        };
        let c: FileConfig = toml::from_str("[audit]\nanchor_dir = \"/mnt/anchors\"\n").unwrap();
        let a = audit(c.audit, data, env).unwrap();
        assert_eq!(
            (a.dir.as_deref(), a.interval_ms),
            (Some(Path::new("/nfs/zwfw-anchors")), 7_200_000),
            "the environment"
        );
        let env = |k: &str| (k == "ZWFW_AUDIT_ANCHOR_INTERVAL").then(|| "often".to_string());
        assert!(audit(None, data, env).unwrap_err().to_string().contains("anchor_interval"));
        assert!(toml::from_str::<FileConfig>("[audit]\nanchor = 1\n").is_err());
    }

    #[test]
    fn licence_verify_base_from_file_and_environment() {
        let none = |_: &str| None;
        assert_eq!(licenses(None, none).unwrap().verify_base, "", "the path alone by default");
        let c: FileConfig = toml::from_str("[licenses]\nverify_base = \"https://zwfw.example.gov.cn/\"\n").unwrap();
        assert_eq!(licenses(c.licenses, none).unwrap().verify_base, "https://zwfw.example.gov.cn");
        let env = |k: &str| (k == "ZWFW_LICENSE_VERIFY_BASE").then(|| "http://10.1.2.3:8080".to_string());
        assert_eq!(licenses(None, env).unwrap().verify_base, "http://10.1.2.3:8080", "the environment");
        let env = |k: &str| (k == "ZWFW_LICENSE_VERIFY_BASE").then(|| "zwfw.example.gov.cn".to_string());
        assert!(licenses(None, env).unwrap_err().to_string().contains("verify_base"));
        let env = |k: &str| (k == "ZWFW_LICENSE_VERIFY_BASE").then(|| "https://x.cn/?a=1".to_string());
        assert!(licenses(None, env).is_err());
    }

    #[test]
    fn backup_settings_from_defaults_file_and_environment() {
        let none = |_: &str| None;
        let d = backup(None, Path::new("/srv/zwfw"), none).unwrap();
        assert_eq!(d.dir, Path::new("/srv/zwfw/backups"));
        assert_eq!((d.every_ms, d.keep, d.drill_every_ms, d.encrypt), (Some(86_400_000), 7, Some(604_800_000), None));
        let c: FileConfig = toml::from_str(
            "[backup]\ndir = \"/mnt/remote\"\ninterval = \"12h\"\nkeep = 14\ndrill_interval = \"off\"\nencrypt = true\n",
        )
        .unwrap();
        let env = |k: &str| (k == "ZWFW_BACKUP_KEEP").then(|| "3".to_string());
        let b = backup(c.backup, Path::new("/srv/zwfw"), env).unwrap();
        assert_eq!(b.dir, Path::new("/mnt/remote"));
        assert_eq!(
            (b.every_ms, b.keep, b.drill_every_ms, b.encrypt),
            (Some(43_200_000), 3, None, Some(true)),
            "the environment wins"
        );
        let off: FileConfig = toml::from_str("[backup]\nencrypt = false\n").unwrap();
        assert_eq!(backup(off.backup, Path::new("/x"), none).unwrap().encrypt, Some(false), "an explicit no is kept");
        let env = |k: &str| (k == "ZWFW_BACKUP_INTERVAL").then(|| "daily".to_string());
        assert!(backup(None, Path::new("/x"), env).unwrap_err().to_string().contains("ZWFW_BACKUP_INTERVAL"));
        let env = |k: &str| (k == "ZWFW_BACKUP_KEEP").then(|| "0".to_string());
        assert!(backup(None, Path::new("/x"), env).unwrap_err().to_string().contains("keep"));
        assert!(toml::from_str::<FileConfig>("[backup]\nkept = 3\n").is_err(), "unknown keys are refused");
    }

    #[test]
    fn database_limits_from_defaults_file_and_environment() {
        use std::time::Duration;
        let none = |_: &str| None;
        assert_eq!(database(None, none).unwrap(), zwfw_store::PgLimits::default());
        let d = zwfw_store::PgLimits::default();
        assert_eq!(
            (d.connect_timeout, d.acquire_timeout, d.statement_timeout, d.keepalive),
            (Duration::from_secs(5), Duration::from_secs(10), Duration::from_secs(30), Duration::from_secs(60))
        );
        let c: FileConfig =
            toml::from_str("[database]\nstatement_timeout = \"2m\"\nconnect_timeout = \"3s\"\nkeepalive = \"20s\"\n")
                .unwrap();
        let env = |k: &str| (k == "ZWFW_DATABASE_CONNECT_TIMEOUT").then(|| "750ms".to_string());
        let l = database(c.database, env).unwrap();
        assert_eq!(
            (l.connect_timeout, l.acquire_timeout, l.statement_timeout, l.keepalive),
            (Duration::from_millis(750), Duration::from_secs(10), Duration::from_secs(120), Duration::from_secs(20)),
            "the environment wins over the file, the file over the defaults"
        );
        let env = |k: &str| (k == "ZWFW_DATABASE_STATEMENT_TIMEOUT").then(|| "soon".to_string());
        let e = database(None, env).unwrap_err().to_string();
        assert!(e.contains("database.statement_timeout") && e.contains("ZWFW_DATABASE_STATEMENT_TIMEOUT"), "{e}");
        let env = |k: &str| (k == "ZWFW_DATABASE_ACQUIRE_TIMEOUT").then(|| "0s".to_string());
        assert!(database(None, env).unwrap_err().to_string().contains("between"));
        assert!(toml::from_str::<FileConfig>("[database]\ntimeout = \"5s\"\n").is_err(), "unknown keys are refused");
    }

    #[test]
    fn lookup_limits_from_defaults_file_and_environment() {
        let none = |_: &str| None;
        let d = lookups(None, none).unwrap();
        assert_eq!((d.license_checks, d.credit, d.track), (60, 300, 120));
        let c: FileConfig = toml::from_str("[lookups]\ncredit = 20\ntrack = 0\n").unwrap();
        let env = |k: &str| (k == "ZWFW_LOOKUPS_CREDIT").then(|| "40".to_string());
        let l = lookups(c.lookups, env).unwrap();
        assert_eq!((l.license_checks, l.credit, l.track), (60, 40, 0), "the environment wins over the file");
        let env = |k: &str| (k == "ZWFW_LOOKUPS_TRACK").then(|| "many".to_string());
        assert!(lookups(None, env).unwrap_err().to_string().contains("ZWFW_LOOKUPS_TRACK"));
        assert!(toml::from_str::<FileConfig>("[lookups]\nverify = 5\n").is_err(), "unknown keys are refused");
    }

    #[test]
    fn trusted_proxies_from_file_and_environment() {
        assert!(trusted_proxies(None, None).unwrap().is_empty(), "none by default");
        let c: FileConfig = toml::from_str("trusted_proxies = [\"10.20.0.0/16\", \"127.0.0.1\"]\n").unwrap();
        let file = trusted_proxies(c.trusted_proxies.clone(), None).unwrap();
        assert_eq!(file.len(), 2);
        assert!(file[0].contains("10.20.3.4".parse().unwrap()));
        let env = trusted_proxies(c.trusted_proxies, Some("192.168.1.10".into())).unwrap();
        assert_eq!(env, vec!["192.168.1.10".parse().unwrap()], "the environment wins");
        let e = trusted_proxies(Some(vec!["10.0.0.0/40".into()]), None).unwrap_err().to_string();
        assert!(e.contains("trusted_proxies") && e.contains("prefix"), "{e}");
    }

    #[test]
    fn sms_gateway_from_file_and_environment() {
        let none = |_: &str| None;
        assert_eq!(sms(None, "示例市", none).unwrap(), None, "no address: no sender");
        let c: FileConfig =
            toml::from_str("[sms]\nurl = \"http://10.0.0.5/send\"\nlink_base = \"https://zwfw.example.cn/\"\n")
                .unwrap();
        let env = |k: &str| (k == "ZWFW_SMS_TOKEN").then(|| "secret".to_string());
        let s = sms(c.sms, "示例市政务服务平台", env).unwrap().unwrap();
        assert_eq!(s.url, "http://10.0.0.5/send");
        assert_eq!(s.token.as_deref(), Some("secret"));
        assert_eq!(s.signature, "示例市政务服务平台", "the site name signs by default");
        assert_eq!(s.link_base, "https://zwfw.example.cn");
        assert_eq!(s.timeout_ms, 5000);
        let env = |k: &str| (k == "ZWFW_SMS_URL").then(|| "https://sms.example.cn".to_string());
        let e = sms(None, "x", env).unwrap_err().to_string();
        assert!(e.contains("invalid SMS gateway settings") && e.contains("TLS proxy"), "{e}");
    }
}
