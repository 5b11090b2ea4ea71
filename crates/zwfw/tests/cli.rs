//! The operator command line, run as a real process.

use std::process::{Command, Output};

fn zwfw(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zwfw"))
        .args(args)
        .env("ZWFW_DATA_DIR", dir)
        .env_remove("ZWFW_DATABASE_URL")
        .env_remove("ZWFW_DEMO")
        .env_remove("ZWFW_LISTEN")
        .env("ZWFW_LOG", "warn")
        .output()
        .expect("run zwfw")
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("zwfw_cli_{name}_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn demo_user_and_audit_verify() {
    let dir = temp_dir("demo");
    let o = zwfw(&dir, &["migrate"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = zwfw(&dir, &["demo"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("demo_counter"));
    let o = zwfw(&dir, &["demo"]);
    assert!(text(&o).contains("0 objects created"), "idempotent: {}", text(&o));

    let o = zwfw(
        &dir,
        &[
            "user",
            "create",
            "--username",
            "ops_wang",
            "--name",
            "王运维",
            "--department",
            "1",
            "--roles",
            "reviewer,counter",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("initial password"));
    let o = zwfw(
        &dir,
        &["user", "create", "--username", "ops_wang", "--name", "王运维", "--department", "1", "--roles", "reviewer"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("duplicate"), "{}", text(&o));
    let o =
        zwfw(&dir, &["user", "create", "--username", "ops_li", "--name", "李", "--department", "1", "--roles", "boss"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let o = zwfw(
        &dir,
        &["user", "reset-password", "--username", "demo_admin", "--reset-totp", "--reason", "locked out at night"],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("temporary password"));
    let o = zwfw(&dir, &["user", "reset-password", "--username", "nobody", "--reason", "x"]);
    assert_eq!(o.status.code(), Some(2));

    let o = zwfw(&dir, &["audit", "verify"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("intact"));

    // Tamper with record 3 directly in the database file.
    let db = dir.join("zwfw.db");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = zwfw_store::Store::connect(&format!("sqlite://{}", db.display())).await.unwrap();
        zwfw_store::db::query("UPDATE audit_log SET reason = 'rewritten' WHERE seq = 3")
            .execute(store.pool())
            .await
            .unwrap();
        store.close().await;
    });
    let o = zwfw(&dir, &["audit", "verify"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("record 3 was altered"), "{}", text(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn startup_failures_are_one_line_and_non_zero() {
    let dir = temp_dir("fail");
    let o = zwfw(&dir, &["migrate", "--database-url", "postgres://postgres@127.0.0.1:1/none"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("cannot open the database"), "{err}");
    let o = zwfw(&dir, &["migrate", "--database-url", "mysql://x"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("unsupported database URL"));

    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let o = zwfw(&dir, &["serve", "--listen", &addr]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("already in use"), "{}", text(&o));

    let o = Command::new(env!("CARGO_BIN_EXE_zwfw"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("ZWFW_DATA_DIR", &dir)
        .env("ZWFW_NOW", "not a time")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("ZWFW_NOW"), "{}", text(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn serve_loads_the_calendar_and_answers() {
    let dir = temp_dir("serve");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_zwfw"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("ZWFW_DATA_DIR", &dir)
        .env("ZWFW_LOG", "warn")
        .env_remove("ZWFW_DATABASE_URL")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let body = rt.block_on(async {
        let url = format!("http://127.0.0.1:{port}/api/v1/calendar/add?from=2025-09-26&days=5");
        for _ in 0..100 {
            if let Ok(r) = reqwest::get(&url).await {
                return r.text().await.unwrap();
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("server did not answer");
    });
    let _ = child.kill();
    let _ = child.wait();
    assert!(body.contains("\"due\":\"2025-10-10\""), "{body}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `zwfw licenses check-qr`: a licence's QR payload checked with nothing but
/// the issuer's public key (no data directory, no database, no server).
#[test]
fn licence_qr_codes_check_offline() {
    use zwfw_app::licenses::{qr, Signer, SoftwareSigner, DEFAULT_SIGNER_ID};
    let signer = SoftwareSigner::generate(DEFAULT_SIGNER_ID).unwrap();
    let public_key = hex_of(&signer.public_key());
    let id = zwfw_domain::licenses::LicenseId::parse(
        "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U",
    )
    .unwrap();
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let payload = qr::sign_payload(&id, day(2025, 9, 26), Some(day(2099, 12, 31)), &signer).unwrap();
    let url = zwfw_domain::licenses::qr::qr_text("https://zwfw.example.gov.cn", &id.to_string(), &payload);
    // Nowhere to keep data: the command must not need it.
    let nowhere = std::path::Path::new("/nonexistent/zwfw");
    let check = |args: &[&str]| {
        let mut all = vec!["licenses", "check-qr"];
        all.extend_from_slice(args);
        zwfw(nowhere, &all)
    };

    for text_read in [payload.as_str(), url.as_str()] {
        let o = check(&[text_read, "--public-key", &public_key]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let out = text(&o);
        assert!(out.starts_with("valid:") && out.contains(&id.to_string()) && out.contains("2099-12-31"), "{out}");
    }
    let o = check(&[&payload, "--public-key", &public_key, "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((v["valid"].as_bool(), v["version"].as_str()), (Some(true), Some("001")), "{v}");

    // One byte of the signed part changed (the validity's last year): bad signature.
    let mut bytes = data_encoding::BASE64URL_NOPAD.decode(payload.as_bytes()).unwrap();
    let at = String::from_utf8_lossy(&bytes).find("|2099").unwrap() + 4;
    bytes[at] = b'8';
    let o = check(&[&data_encoding::BASE64URL_NOPAD.encode(&bytes), "--public-key", &public_key]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).starts_with("invalid: bad_signature"), "{}", text(&o));
    // Another key: unknown; not a payload: malformed; the signer ID matters.
    let other = hex_of(&SoftwareSigner::generate(DEFAULT_SIGNER_ID).unwrap().public_key());
    let o = check(&[&payload, "--public-key", &other]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).starts_with("invalid: unknown_key"), "{}", text(&o));
    let o = check(&["https://zwfw.example.gov.cn/verify/1.2", "--public-key", &public_key]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).starts_with("invalid: malformed [encoding]"), "{}", text(&o));
    let o = check(&[&payload, "--public-key", &public_key, "--signer-id", "another"]);
    assert!(text(&o).starts_with("invalid: bad_signature"), "{}", text(&o));
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
