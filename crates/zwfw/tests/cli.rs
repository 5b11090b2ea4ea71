//! The operator command line, run as a real process.

mod support;

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

/// A trail rewritten and re-chained in the database file passes `audit
/// verify` and is caught by `audit verify --anchors`.
#[test]
fn anchors_written_and_checked_from_the_command_line() {
    let dir = temp_dir("anchors");
    let anchors = dir.join("elsewhere");
    let anchors_arg = anchors.to_str().unwrap();
    let with_key = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_zwfw"))
            .args(args)
            .env("ZWFW_DATA_DIR", &dir)
            .env("ZWFW_MASTER_KEY", KEY_1)
            .env_remove("ZWFW_DATABASE_URL")
            .env("ZWFW_LOG", "warn")
            .output()
            .unwrap()
    };
    assert!(zwfw(&dir, &["demo"]).status.success());
    let o = zwfw(&dir, &["audit", "anchor", "--dir", anchors_arg]);
    assert_eq!(o.status.code(), Some(2), "no master key, no signature: {}", text(&o));
    assert!(text(&o).contains("master_key_missing"), "{}", text(&o));
    let o = with_key(&["audit", "anchor", "--dir", anchors_arg]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("anchor written"), "{}", text(&o));
    let o = with_key(&["audit", "verify", "--anchors", anchors_arg]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("1 files, 1 with a valid signature"), "{}", text(&o));

    // Record 4 rewritten and every hash computed again, straight in the database file.
    let db = dir.join("zwfw.db");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = zwfw_store::Store::connect(&format!("sqlite://{}", db.display())).await.unwrap();
        let f = zwfw_store::audit::AuditFilter { limit: 10_000, ..Default::default() };
        let mut records = zwfw_store::audit::list(&store, &f).await.unwrap();
        records.reverse();
        let mut prev = zwfw_domain::audit::GENESIS_HASH.to_string();
        for r in &mut records {
            if r.seq == 4 {
                r.entry.reason = "rewritten".into();
            }
            r.hash = zwfw_domain::audit::record_hash(r.seq, &prev, &r.entry);
            zwfw_store::db::query("UPDATE audit_log SET reason = $1, prev_hash = $2, hash = $3 WHERE seq = $4")
                .bind(r.entry.reason.clone())
                .bind(prev.clone())
                .bind(r.hash.clone())
                .bind(r.seq)
                .execute(store.pool())
                .await
                .unwrap();
            prev = r.hash.clone();
        }
        zwfw_store::db::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
            .bind(prev)
            .execute(store.pool())
            .await
            .unwrap();
        store.close().await;
    });
    let o = zwfw(&dir, &["audit", "verify"]);
    assert!(o.status.success(), "re-chained, the trail verifies on its own: {}", text(&o));
    let o = zwfw(&dir, &["audit", "verify", "--anchors", anchors_arg]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("the first record that differs from the anchored state is one of records 1 to"),
        "{}",
        text(&o)
    );
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

/// Runs zwfw with the data directory `dir`, the database `url` (its SQLite file by default) and `env`.
fn zwfw_on(dir: &std::path::Path, url: Option<&str>, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_zwfw"));
    c.args(args)
        .env("ZWFW_DATA_DIR", dir)
        .env_remove("ZWFW_DATABASE_URL")
        .env_remove("ZWFW_MASTER_KEY")
        .env_remove("ZWFW_DEMO")
        .env("ZWFW_LOG", "warn");
    if let Some(u) = url {
        c.env("ZWFW_DATABASE_URL", u);
    }
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run zwfw")
}

/// A PostgreSQL address that takes connections and never answers on them:
/// `zwfw backup create` and `restore` give up after the configured connect
/// timeout (the flag, or the variable), with the reason, instead of hanging.
#[test]
fn backup_against_a_database_that_never_answers_fails_within_the_connect_timeout() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Accepts and holds every connection, reading and writing nothing.
    std::thread::spawn(move || {
        let mut held = vec![];
        for c in listener.incoming() {
            held.push(c);
        }
    });
    let url = format!("postgres://zwfw@127.0.0.1:{port}/zwfw");
    let dir = temp_dir("backup_silent");
    let out = dir.join("x.zwfwbak");
    for (env, args) in [
        (vec![], vec!["--database-connect-timeout", "1s", "backup", "create", "--out", out.to_str().unwrap()]),
        (vec![("ZWFW_DATABASE_CONNECT_TIMEOUT", "1s")], vec!["backup", "restore", "--from", out.to_str().unwrap()]),
    ] {
        let since = std::time::Instant::now();
        let o = zwfw_on(&dir, Some(&url), &env, &args);
        let took = since.elapsed();
        assert!(!o.status.success(), "{args:?}: {}", text(&o));
        assert!(took < std::time::Duration::from_secs(20), "{args:?} took {took:?}");
        let said = text(&o);
        assert!(said.contains("cannot open the database") && said.contains("did not answer within 1000 ms"), "{said}");
    }
    assert!(!out.exists(), "no backup written");
    let _ = std::fs::remove_dir_all(&dir);
}

const KEY_1: &str = "00112233445566778899aabbccddeeff";
const KEY_2: &str = "ffeeddccbbaa99887766554433221100";

/// The manifest of a backup, read by the program's own verification.
fn manifest(file: &std::path::Path, key: Option<&str>) -> zwfw_app::backup::Verified {
    let key = key.map(|k| zwfw_app::licenses::MasterKey::from_hex(k).unwrap());
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(zwfw_app::backup::verify(file, key.as_ref())).unwrap()
}

/// The tables of a manifest as (name, rows, SM3) by name (each engine
/// orders them by its own references), but those the restores write to
/// (the audit trail).
fn table_parts(v: &zwfw_app::backup::Verified, also_skip: &[&str]) -> Vec<(String, i64, String)> {
    let mut parts: Vec<_> = v
        .tables
        .iter()
        .filter(|t| !["audit_log", "audit_head", "audit_pending"].contains(&t.name.as_str()))
        .filter(|t| !also_skip.contains(&t.name.as_str()))
        .map(|t| (t.name.clone(), t.rows, t.sm3.clone()))
        .collect();
    parts.sort();
    parts
}

#[test]
fn backup_moves_the_demo_from_sqlite_to_postgresql_and_back() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some(pg) = support::scratch_postgres(&rt, "backup_moves_the_demo_from_sqlite_to_postgresql_and_back") else {
        return;
    };
    let src = temp_dir("bak_src");
    let o = zwfw(&src, &["demo"]);
    assert!(o.status.success(), "{}", text(&o));
    let key = [("ZWFW_MASTER_KEY", KEY_1)];

    // SQLite → an encrypted backup → PostgreSQL.
    let b1 = src.with_extension("b1.zbak");
    let _ = std::fs::remove_file(&b1);
    let o = zwfw_on(&src, None, &key, &["backup", "create", "--encrypt", "--out", b1.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("encrypted (SM4-GCM"), "{}", text(&o));
    let m1 = manifest(&b1, Some(KEY_1));
    assert_eq!(m1.manifest.source, "sqlite");
    assert!(m1.manifest.rows > 5_000 && m1.manifest.files > 100, "the demo is in it: {:?}", m1.manifest);
    let on_pg = temp_dir("bak_pg");
    let o = zwfw_on(&on_pg, Some(&pg.url), &key, &["backup", "restore", "--from", b1.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("the audit chain verifies"), "{}", text(&o));
    let o = zwfw_on(&on_pg, Some(&pg.url), &[], &["audit", "verify"]);
    assert!(o.status.success() && text(&o).contains("intact"), "{}", text(&o));

    // PostgreSQL → a backup → SQLite.
    let b2 = src.with_extension("b2.zbak");
    let _ = std::fs::remove_file(&b2);
    // Made by another app server, whose data directory is empty: PostgreSQL
    // keeps every stored file's bytes.
    let other = temp_dir("bak_pg_other");
    let o = zwfw_on(&other, Some(&pg.url), &[], &["backup", "create", "--out", b2.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let m2 = manifest(&b2, None);
    assert_eq!(m2.manifest.source, "postgres");
    // PostgreSQL numbers its case events; SQLite keeps them by case and number.
    assert_eq!(table_parts(&m2, &["case_events"]), table_parts(&m1, &["case_events"]));
    assert_eq!(m2.files, m1.files);
    let back = temp_dir("bak_back");
    let o = zwfw_on(&back, None, &[], &["backup", "restore", "--from", b2.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let o = zwfw_on(&back, None, &[], &["audit", "verify"]);
    assert!(o.status.success() && text(&o).contains("intact"), "{}", text(&o));

    // Back on SQLite, every row and file is what it was (the audit trail
    // has the records of the backups and restores on top).
    let b3 = src.with_extension("b3.zbak");
    let _ = std::fs::remove_file(&b3);
    let o = zwfw_on(&back, None, &[], &["backup", "create", "--out", b3.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let m3 = manifest(&b3, None);
    assert_eq!(table_parts(&m3, &[]), table_parts(&m1, &[]));
    assert_eq!(m3.files, m1.files);
    // Each restore recorded itself in the restored trail (each backup in its source's, after its snapshot).
    assert_eq!(m3.manifest.audit_seq, m1.manifest.audit_seq + 2);

    // And the restored program serves: it signs in with the demo's accounts.
    let o = zwfw_on(
        &back,
        None,
        &[],
        &["user", "reset-password", "--username", "demo_admin", "--reason", "after the move"],
    );
    assert!(o.status.success(), "{}", text(&o));
    for p in [&b1, &b2, &b3] {
        let _ = std::fs::remove_file(p);
    }
    for d in [&src, &on_pg, &other, &back] {
        let _ = std::fs::remove_dir_all(d);
    }
    rt.block_on(pg.cleanup());
}

#[test]
fn bad_backups_and_targets_are_refused_and_leave_nothing() {
    let src = temp_dir("bak_bad");
    let o = zwfw(&src, &["demo"]);
    assert!(o.status.success(), "{}", text(&o));
    let file = src.with_extension("good.zbak");
    let sealed = src.with_extension("sealed.zbak");
    for f in [&file, &sealed] {
        let _ = std::fs::remove_file(f);
    }
    let o = zwfw_on(&src, None, &[], &["backup", "create", "--out", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let o = zwfw_on(&src, None, &[], &["backup", "create", "--out", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("backup_exists"), "{}", text(&o));
    let o = zwfw_on(&src, None, &[], &["backup", "create", "--encrypt", "--out", sealed.to_str().unwrap()]);
    assert!(text(&o).contains("backup_key_missing"), "{}", text(&o));
    let o = zwfw_on(
        &src,
        None,
        &[("ZWFW_MASTER_KEY", KEY_1)],
        &["backup", "create", "--encrypt", "--out", sealed.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", text(&o));
    let bytes = std::fs::read(&file).unwrap();

    // Each is refused by verify and by restore, with its reason, and the
    // target is left as it was: no database file, no stored file.
    let bad = src.with_extension("bad.zbak");
    let refused = |f: &std::path::Path, env: &[(&str, &str)], code: &str| {
        let o = zwfw_on(&src, None, env, &["backup", "verify", f.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(text(&o).contains(code), "verify: {code}: {}", text(&o));
        let target = temp_dir("bak_target");
        let o = zwfw_on(&target, None, env, &["backup", "restore", "--from", f.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(text(&o).contains(code), "restore: {code}: {}", text(&o));
        assert!(!target.join("zwfw.db").exists(), "no database left behind");
        assert!(!target.join("files").exists(), "no stored file left behind");
        let _ = std::fs::remove_dir_all(&target);
    };
    std::fs::write(&bad, &bytes[..bytes.len() / 2]).unwrap();
    refused(&bad, &[], "backup_truncated");
    let mut altered = bytes.clone();
    altered[bytes.len() / 2] ^= 0x01;
    std::fs::write(&bad, &altered).unwrap();
    refused(&bad, &[], "backup_damaged");
    refused(&sealed, &[("ZWFW_MASTER_KEY", KEY_2)], "backup_wrong_key");
    refused(&sealed, &[], "backup_key_missing");
    std::fs::write(&bad, b"PK\x03\x04 a zip file").unwrap();
    refused(&bad, &[], "backup_not_a_backup");

    // A backup of a database migrated by a newer program.
    let newer = temp_dir("bak_newer");
    let o = zwfw(&newer, &["migrate"]);
    assert!(o.status.success(), "{}", text(&o));
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = zwfw_store::Store::connect(&format!("sqlite://{}", newer.join("zwfw.db").display())).await.unwrap();
        zwfw_store::db::query(
            "INSERT INTO zwfw_migrations (version, name, checksum, applied_at) VALUES (9999, 'later', 'x', 0)",
        )
        .execute(store.pool())
        .await
        .unwrap();
        store.close().await;
    });
    let _ = std::fs::remove_file(&bad);
    let o = zwfw_on(&newer, None, &[], &["backup", "create", "--out", bad.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    refused(&bad, &[], "backup_newer_schema");

    // A target that is not empty: the database, or the data directory's files.
    let o = zwfw_on(&src, None, &[], &["backup", "restore", "--from", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("restore_target_not_empty"), "{}", text(&o));
    let o = zwfw_on(&src, None, &[], &["audit", "verify"]);
    assert!(o.status.success(), "the source is untouched: {}", text(&o));
    let target = temp_dir("bak_files");
    std::fs::create_dir_all(target.join("files")).unwrap();
    std::fs::write(target.join("files").join("left.txt"), b"x").unwrap();
    let o = zwfw_on(&target, None, &[], &["backup", "restore", "--from", file.to_str().unwrap()]);
    assert!(text(&o).contains("restore_target_not_empty"), "{}", text(&o));

    // The good ones restore.
    for (f, env) in [(&file, &[][..]), (&sealed, &[("ZWFW_MASTER_KEY", KEY_1)][..])] {
        let target = temp_dir("bak_good");
        let o = zwfw_on(&target, None, env, &["backup", "restore", "--from", f.to_str().unwrap()]);
        assert!(o.status.success(), "{}", text(&o));
        let _ = std::fs::remove_dir_all(&target);
    }
    for f in [&file, &sealed, &bad] {
        let _ = std::fs::remove_file(f);
    }
    for d in [&src, &newer, &target] {
        let _ = std::fs::remove_dir_all(d);
    }
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

/// The demo registers demo_cert's certificate from the demo CA of the data
/// directory; `zwfw cert demo-revoke` issues that CA's revocation list and
/// `zwfw cert crl-import` takes it, blocking the certificate; a list of
/// another CA, or without a configured CA, is refused and changes nothing.
/// On SQLite and PostgreSQL.
#[test]
fn the_demo_cas_revocation_list_blocks_the_demo_certificate() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let pg = support::scratch_postgres(&rt, "the_demo_cas_revocation_list_blocks_the_demo_certificate");
    let urls = [None].into_iter().chain(pg.as_ref().map(|p| Some(p.url.as_str())));
    for url in urls {
        let dir = temp_dir(if url.is_some() { "crl_pg" } else { "crl_sqlite" });
        let o = zwfw_on(&dir, url, &[], &["demo"]);
        assert!(o.status.success(), "{}", text(&o));
        let (ca_dir, key) = (dir.join("demo-ca"), dir.join("demo-ca").join("demo_cert.key"));
        assert!(text(&o).contains(&format!("zwfw cert signer --key {}", key.display())), "{}", text(&o));
        assert!(key.exists() && ca_dir.join("demo_cert.pem").exists());
        let cert = ca_dir.join("demo_cert.pem");

        // Another CA's list: refused, nothing changed; without the demo's CA none is checked.
        let other = dir.with_extension("other-ca");
        let o =
            zwfw_on(&dir, url, &[], &["cert", "demo-revoke", "--ca-dir", other.to_str().unwrap(), "--serial", "01"]);
        assert!(o.status.success(), "{}", text(&o));
        let foreign = other.join("crl.pem");
        let o = zwfw_on(&dir, url, &[], &["cert", "crl-import", "--demo", foreign.to_str().unwrap()]);
        assert!(!o.status.success() && text(&o).contains("crl_not_from_ca"), "{}", text(&o));
        assert!(text(&o).contains("nothing changed"), "{}", text(&o));
        let o = zwfw_on(&dir, url, &[], &["cert", "crl-import", foreign.to_str().unwrap()]);
        assert!(!o.status.success() && text(&o).contains("crl_no_ca"), "{}", text(&o));

        // The demo CA revokes her certificate; the list is taken and blocks it.
        let o = zwfw_on(
            &dir,
            url,
            &[],
            &["cert", "demo-revoke", "--ca-dir", ca_dir.to_str().unwrap(), "--cert", cert.to_str().unwrap()],
        );
        assert!(o.status.success(), "{}", text(&o));
        let list = ca_dir.join("crl.pem");
        let o = zwfw_on(&dir, url, &[], &["cert", "crl-import", "--demo", list.to_str().unwrap()]);
        assert!(o.status.success(), "{}", text(&o));
        assert!(text(&o).contains("blocked now: 1"), "{}", text(&o));
        let o = zwfw_on(&dir, url, &[], &["cert", "crl-import", "--demo", list.to_str().unwrap()]);
        assert!(o.status.success() && text(&o).contains("held already"), "{}", text(&o));
        let db = url.map(str::to_string).unwrap_or_else(|| format!("sqlite://{}", dir.join("zwfw.db").display()));
        let states = rt.block_on(async {
            let store = zwfw_store::Store::connect(&db).await.unwrap();
            let rows = zwfw_store::db::query("SELECT state FROM staff_certificate_reports")
                .fetch_all(store.pool())
                .await
                .unwrap();
            store.close().await;
            rows.iter()
                .map(|r| match r.value("state") {
                    Some(zwfw_store::db::Value::Text(s)) => s.clone(),
                    v => panic!("{v:?}"),
                })
                .collect::<Vec<_>>()
        });
        assert_eq!(states, ["ca_revoked"]);
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::remove_dir_all(&other);
    }
}
