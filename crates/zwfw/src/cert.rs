//! `zwfw cert`: the software side of staff certificates, for tests,
//! demonstrations and trials without a vendor's USB key: a demo CA that
//! issues SM2 certificates, the software signer of a sign-in challenge, and
//! a local signing service speaking the contract the sign-in page's script
//! expects of the vendor's (docs/areas/certificates.md).

use anyhow::{anyhow, Context, Result};
use clap::Subcommand;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use zwfw_app::accounts::certificates::{self as certs, x509};

#[derive(Subcommand)]
pub enum CertCommand {
    /// Issue an SM2 key and certificate from the demo CA of a folder (made
    /// there on first use: ca.pem, ca.key). For tests and demonstrations only.
    DemoIssue {
        /// The folder of the demo CA.
        #[arg(long)]
        ca_dir: PathBuf,
        /// The holder's name: the subject's CN, which must be the staff account's name.
        #[arg(long)]
        name: String,
        /// The holder's unit (the subject's OU), e.g. 市场监督管理局.
        #[arg(long)]
        unit: Option<String>,
        /// First day of validity (YYYY-MM-DD, Asia/Shanghai). Default today.
        #[arg(long)]
        from: Option<String>,
        /// Days of validity.
        #[arg(long, default_value_t = 730)]
        days: i64,
        /// Where to write: OUT.pem (the certificate, to register) and OUT.key (the private key, PKCS#8).
        #[arg(long)]
        out: PathBuf,
    },
    /// Issue a certificate revocation list (CRL) from the demo CA of a folder
    /// revoking the given certificates (and those its previous list at OUT
    /// revoked): import it with `zwfw cert crl-import` or put it where
    /// `[certificates] crl_file` points. For tests and demonstrations only.
    DemoRevoke {
        /// The folder of the demo CA.
        #[arg(long)]
        ca_dir: PathBuf,
        /// A certificate to revoke (PEM or DER file); may be repeated.
        #[arg(long = "cert")]
        certs: Vec<PathBuf>,
        /// A serial number to revoke (hex); may be repeated.
        #[arg(long = "serial")]
        serials: Vec<String>,
        /// Days until the next list is due (nextUpdate).
        #[arg(long, default_value_t = 7)]
        days: i64,
        /// Where to write the list (PEM); default CA_DIR/crl.pem.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Import the configured CA's revocation list (CRL, PEM or DER) into the
    /// database: its signature is checked with the CA of `[certificates]
    /// ca_file` (with --demo and no ca_file: the demo CA of the data
    /// directory); the certificates on it are blocked at once.
    CrlImport {
        /// The CRL file.
        file: PathBuf,
        /// The database is the demo's (`zwfw serve --demo`).
        #[arg(long)]
        demo: bool,
    },
    /// Sign a sign-in challenge with an SM2 private key (PKCS#8 PEM): prints
    /// the signature (base64 of the DER) to paste on the sign-in page or post to the API.
    Sign {
        #[arg(long)]
        key: PathBuf,
        /// The challenge as shown (zwfw-sign-in:…).
        #[arg(long)]
        challenge: String,
    },
    /// Run a local signing service with a software key, as the vendor's
    /// client does on a workstation: POST {"challenge": …} answers
    /// {"signature": …}. For tests and demonstrations only.
    Signer {
        #[arg(long)]
        key: PathBuf,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:18089")]
        listen: String,
    },
}

fn read_key(path: &Path) -> Result<sm2::SecretKey> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    x509::read_key(&text).map_err(|e| anyhow!("{}: {e}", path.display()))
}

/// Midnight (Asia/Shanghai) of a day, epoch ms.
fn day_start(day: &str) -> Result<i64> {
    let d = chrono::NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d")
        .map_err(|_| anyhow!("--from must be a date YYYY-MM-DD (got {day:?})"))?;
    Ok(d.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp_millis() - 8 * 3_600_000)
}

/// An RFC 4514 attribute value with its special characters escaped.
fn rdn_value(v: &str) -> String {
    let mut out = String::new();
    for c in v.trim().chars() {
        if matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub async fn run(command: CertCommand, common: &crate::cli::Common) -> Result<ExitCode> {
    match command {
        CertCommand::DemoIssue { ca_dir, name, unit, from, days, out } => {
            let now = chrono::Utc::now().timestamp_millis();
            let (ca_name, ca_key) = certs::demo_ca(&ca_dir, now).map_err(|e| anyhow!("demo CA: {e}"))?;
            let not_before = match from {
                Some(d) => day_start(&d)?,
                None => now - 3_600_000,
            };
            let not_after = not_before + days * 86_400_000 - 1000;
            let mut subject = format!("CN={}", rdn_value(&name));
            if let Some(u) = unit.filter(|u| !u.trim().is_empty()) {
                subject.push_str(&format!(",OU={}", rdn_value(&u)));
            }
            subject.push_str(",O=示例市,C=CN");
            let issued = certs::issue_with_key(&subject, not_before, not_after, &ca_name, &ca_key)
                .map_err(|e| anyhow!("issue: {e}"))?;
            let (pem_path, key_path) = (out.with_extension("pem"), out.with_extension("key"));
            std::fs::write(&pem_path, &issued.certificate_pem)
                .with_context(|| format!("cannot write {}", pem_path.display()))?;
            std::fs::write(&key_path, &issued.key_pem)
                .with_context(|| format!("cannot write {}", key_path.display()))?;
            let parsed = x509::read(issued.certificate_pem.as_bytes())
                .map_err(|_| anyhow!("the certificate does not read back"))?;
            println!("certificate: {}", pem_path.display());
            println!("private key: {}", key_path.display());
            println!("subject:     {}", parsed.subject);
            println!("issuer:      {}", parsed.issuer);
            println!("serial:      {}", parsed.serial);
            println!("fingerprint: {} (SM3)", parsed.fingerprint);
            println!(
                "demo CA:     {} (set [certificates] ca_file to it to accept only its certificates)",
                ca_dir.join("ca.pem").display()
            );
            Ok(ExitCode::SUCCESS)
        }
        CertCommand::DemoRevoke { ca_dir, certs: files, serials, days, out } => {
            let now = chrono::Utc::now().timestamp_millis();
            let (ca_name, ca_key) = certs::demo_ca(&ca_dir, now).map_err(|e| anyhow!("demo CA: {e}"))?;
            let out = out.unwrap_or_else(|| ca_dir.join("crl.pem"));
            // The list so far (the previous one at OUT, if the demo CA made it).
            let mut revoked: Vec<(String, i64)> = match std::fs::read(&out) {
                Ok(bytes) => {
                    x509::read_crl(&bytes)
                        .ok_or_else(|| anyhow!("{} is not a revocation list (CRL)", out.display()))?
                        .revoked
                }
                Err(_) => vec![],
            };
            let mut add = |serial: String| {
                if !revoked.iter().any(|(s, _)| *s == serial) {
                    revoked.push((serial, now));
                }
            };
            for f in &files {
                let bytes = std::fs::read(f).with_context(|| format!("cannot read {}", f.display()))?;
                let c = x509::read(&bytes).map_err(|_| anyhow!("{} is not an SM2 certificate", f.display()))?;
                if c.issuer != ca_name {
                    anyhow::bail!("{} was not issued by the demo CA of {}", f.display(), ca_dir.display());
                }
                add(c.serial);
            }
            for s in serials {
                let s = s.trim().trim_start_matches("0x").to_ascii_uppercase();
                if s.is_empty() || s.len() % 2 == 1 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
                    anyhow::bail!("--serial must be hexadecimal digits, an even number of them (got {s:?})");
                }
                add(s);
            }
            let pem = x509::issue_crl(&ca_name, &ca_key, now, now + days * 86_400_000, &revoked)
                .map_err(|e| anyhow!("issue: {e}"))?;
            std::fs::write(&out, &pem).with_context(|| format!("cannot write {}", out.display()))?;
            println!("revocation list: {}", out.display());
            println!("issuer:          {ca_name}");
            for (serial, _) in &revoked {
                println!("revoked:         {serial}");
            }
            Ok(ExitCode::SUCCESS)
        }
        CertCommand::CrlImport { file, demo } => {
            let s = crate::cli::settings(common, None, demo.then_some(true))?;
            let state = crate::cli::state_for(&s, crate::cli::open_store(&s).await?)?;
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let o = certs::import_crl(&crate::cli::cli_ctx(&state), &bytes)
                .await
                .map_err(|e| anyhow!("{}: refused ({}): {}; nothing changed", file.display(), e.code(), e.message()))?;
            if !o.imported {
                println!("the same revocation list is held already: nothing changed");
                return Ok(ExitCode::SUCCESS);
            }
            println!("revocation list of {} imported", o.issuer);
            println!("this update: {}", zwfw_domain::time::format_rfc3339(o.this_update));
            println!("revoked:     {} serial(s)", o.revoked);
            println!("blocked now: {} registered certificate(s) {:?}", o.blocked.len(), o.blocked);
            Ok(ExitCode::SUCCESS)
        }
        CertCommand::Sign { key, challenge } => {
            let key = read_key(&key)?;
            let sig = x509::sign(&key, challenge.trim().as_bytes()).map_err(|e| anyhow!("sign: {e}"))?;
            println!("{}", data_encoding::BASE64.encode(&sig));
            Ok(ExitCode::SUCCESS)
        }
        CertCommand::Signer { key, listen } => {
            let key = read_key(&key)?;
            signer(key, &listen).await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The local signing service: `POST /sm2/sign` (and `/`) with
/// `{"challenge": "…"}` answers `{"signature": "<base64 DER>"}`; the
/// browser's cross-origin request is allowed (CORS), as vendors' clients do.
async fn signer(key: sm2::SecretKey, listen: &str) -> Result<()> {
    use axum::http::{header, HeaderValue, Method, StatusCode};
    use axum::response::IntoResponse;
    use axum::routing::post;
    use std::sync::Arc;

    #[derive(serde::Deserialize)]
    struct SignRequest {
        challenge: String,
    }
    let key = Arc::new(key);
    let sign = move |body: axum::body::Bytes| {
        let key = key.clone();
        async move {
            let Ok(req) = serde_json::from_slice::<SignRequest>(&body) else {
                return (StatusCode::BAD_REQUEST, axum::Json(serde_json::json!({"error": "bad_request"})))
                    .into_response();
            };
            match x509::sign(&key, req.challenge.as_bytes()) {
                Ok(sig) => {
                    axum::Json(serde_json::json!({"signature": data_encoding::BASE64.encode(&sig)})).into_response()
                }
                Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(serde_json::json!({"error": e.to_string()})))
                    .into_response(),
            }
        }
    };
    let cors = axum::middleware::from_fn(|req: axum::extract::Request, next: axum::middleware::Next| async move {
        let preflight = req.method() == Method::OPTIONS;
        let mut resp = if preflight { StatusCode::NO_CONTENT.into_response() } else { next.run(req).await };
        let h = resp.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("POST, OPTIONS"));
        h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("content-type"));
        h.insert("access-control-allow-private-network", HeaderValue::from_static("true"));
        resp
    });
    let app = axum::Router::new()
        .route("/sm2/sign", post(sign.clone()).options(|| async { StatusCode::NO_CONTENT }))
        .route("/", post(sign).options(|| async { StatusCode::NO_CONTENT }))
        .layer(cors);
    let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("cannot listen on {listen}"))?;
    println!(
        "signing service on http://{}/sm2/sign (software key; for tests and demonstrations only)",
        listener.local_addr()?
    );
    axum::serve(listener, app).await?;
    Ok(())
}
