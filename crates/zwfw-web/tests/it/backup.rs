//! 数据备份: backups made on the schedule into the backup directory, the
//! retention, the restore drill into a scratch database, the continuity
//! finding (A10) when backups or drills lapse, and the system
//! administrator's page and API, which every other role is refused.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::Value;
use zwfw_app::backup::schedule;
use zwfw_store::{both_backends, Store};

/// Tuesday 2026-12-01, 09:00 in Beijing.
const NOW: &str = "2026-12-01T09:00:00+08:00";
const HOUR: i64 = 3_600_000;

/// The backup files in `dir`.
fn files_in(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    v.retain(|n| n.ends_with(".zbak"));
    v.sort();
    v
}

/// How many audit records of `action` the trail holds.
async fn audited(app: &App, action: &str) -> i64 {
    zwfw_store::audit::seal(&app.state.store).await.unwrap();
    let row = zwfw_store::db::query("SELECT COUNT(*) AS n FROM audit_log WHERE action = $1")
        .bind(action)
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    match row.value("n") {
        Some(zwfw_store::db::Value::Int(n)) => *n,
        other => panic!("a count: {other:?}"),
    }
}

/// The A10 findings supervision lists.
async fn continuity_findings(app: &App, token: &str) -> Vec<Value> {
    let (s, f) = body(app.get(token, "/api/v1/supervision/findings?rule=A10").await).await;
    assert_eq!(s, StatusCode::OK, "{f}");
    f["rows"].as_array().cloned().unwrap_or_default()
}

both_backends!(scheduled_backups_are_kept_drilled_and_watched, |store: Store| async move {
    let dir = data_dir();
    let app = App::start_with_backups(store, NOW, &dir, 2).await;
    // The supervision officer's password and authenticator, for signing in later.
    app.ready_token("demo_supervisor").await;

    // The first turn: a backup (none yet), then the drill restores it into a scratch database.
    let t = schedule::tick(&app.state).await.unwrap();
    let b1 = t.backup.expect("a backup is due");
    assert_eq!((b1.outcome.as_str(), b1.kind.as_str()), ("ok", "scheduled"), "{b1:?}");
    assert_eq!(files_in(&dir), vec![b1.file_name.clone()]);
    assert!(b1.size > 0 && b1.rows_total > 0 && b1.audit_seq > 0, "{b1:?}");
    let d1 = t.drill.expect("a drill is due");
    assert_eq!(d1.outcome, "passed", "{d1:?}");
    assert_eq!((d1.backup_id, d1.file_name.as_str()), (Some(b1.id), b1.file_name.as_str()));
    assert!(d1.audit_checked > b1.audit_seq, "the restored trail holds the backup's and the restore's records: {d1:?}");
    assert_eq!(d1.rows_checked, b1.rows_total);
    assert_eq!(d1.backup_created_at, b1.created_at);
    assert!(d1.data_age_ms.is_some_and(|a| a >= 0));
    // The scratch copy is gone.
    let left = std::fs::read_dir(schedule::scratch_root(&app.state))
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name()).collect::<Vec<_>>())
        .unwrap_or_default();
    assert!(left.is_empty(), "the drill's scratch database is removed: {left:?}");

    // Nothing more is due at once.
    let t = schedule::tick(&app.state).await.unwrap();
    assert!(t.backup.is_none() && t.drill.is_none());
    // Another app server that found both due just before they were made
    // takes the lease after them: it looks again under the lease and makes
    // neither (one backup per period, whichever server makes it).
    let job = zwfw_app::Ctx { state: &app.state, actor: None, client_addr: "job".into() };
    assert!(schedule::back_up_when_due(&job, "scheduled", Some(24 * HOUR)).await.unwrap().is_none());
    assert!(schedule::drill_when_due(&job, "scheduled", None, Some(7 * 24 * HOUR)).await.unwrap().is_none());
    assert_eq!(files_in(&dir), vec![b1.file_name.clone()]);
    drop(job);
    let r = zwfw_app::supervision::evaluate(&app.state, true).await.unwrap().unwrap();
    assert!(!r.by_rule.contains_key("A10"), "{:?}", r.by_rule);

    // A day later each: the retention keeps the two newest files.
    app.advance(25 * HOUR);
    let b2 = schedule::tick(&app.state).await.unwrap().backup.expect("a day later");
    app.advance(25 * HOUR);
    let t = schedule::tick(&app.state).await.unwrap();
    let b3 = t.backup.expect("another day later");
    assert!(t.drill.is_none(), "drills are weekly");
    assert_eq!(files_in(&dir), {
        let mut v = vec![b2.file_name.clone(), b3.file_name.clone()];
        v.sort();
        v
    });
    let records = zwfw_store::backup::records::backups(&app.state.store, 10).await.unwrap();
    let first = records.iter().find(|b| b.id == b1.id).unwrap();
    assert!(first.pruned_at.is_some(), "the removed file's record stays, marked: {first:?}");
    assert_eq!(audited(&app, "backup_pruned").await, 1);
    assert_eq!(audited(&app, "backup_created").await, 3);
    assert_eq!(audited(&app, "backup_drilled").await, 1);

    // No backup for more than 26 hours: one continuity finding, found once.
    app.advance(27 * HOUR);
    let lapses = schedule::lapses(&app.state).await.unwrap();
    assert_eq!(lapses, vec![zwfw_domain::backup::Lapse::Stale { id: b3.id, at: b3.started_at }]);
    let r = zwfw_app::supervision::evaluate(&app.state, false).await.unwrap().unwrap();
    assert_eq!(r.by_rule.get("A10"), Some(&1), "{:?}", r.by_rule);
    let r = zwfw_app::supervision::evaluate(&app.state, false).await.unwrap().unwrap();
    assert!(!r.by_rule.contains_key("A10"), "found once: {:?}", r.by_rule);
    let sup = app.signed_in("demo_supervisor").await;
    let found = continuity_findings(&app, &sup).await;
    assert_eq!(found.len(), 1, "{found:?}");
    let text = found[0].to_string();
    assert!(text.contains("已超过26小时没有新的备份"), "{text}");

    // The newest file damaged: the drill run now fails, with the reason, and is found too.
    let newest = dir.join(&b3.file_name);
    let bytes = std::fs::read(&newest).unwrap();
    std::fs::write(&newest, &bytes[..bytes.len() / 2]).unwrap();
    let admin = app.ready_token("demo_admin").await;
    let (s, d) = body(app.post(&admin, "/api/v1/admin/backups/drill", serde_json::json!({})).await).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!((d["outcome"].as_str(), d["error_code"].as_str()), (Some("failed"), Some("backup_truncated")), "{d}");
    let r = zwfw_app::supervision::evaluate(&app.state, false).await.unwrap().unwrap();
    assert_eq!(r.by_rule.get("A10"), Some(&1), "{:?}", r.by_rule);
    assert_eq!(continuity_findings(&app, &sup).await.len(), 2);

    // The administrator's workbench says so.
    let (_, home) = page(&signed(&admin), &app, "/").await;
    assert!(home.contains("恢复演练未通过") && home.contains("已超过26小时没有新的备份"), "{home}");

    // A backup made now clears the staleness; the failed drill stands until a drill passes.
    let b4 =
        schedule::back_up_now(&zwfw_app::Ctx { state: &app.state, actor: None, client_addr: "test".into() }, "manual")
            .await
            .unwrap();
    assert_eq!(b4.outcome, "ok");
    let lapses = schedule::lapses(&app.state).await.unwrap();
    assert!(matches!(lapses.as_slice(), [zwfw_domain::backup::Lapse::DrillFailed { .. }]), "{lapses:?}");
    let (_, d) = body(app.post(&admin, "/api/v1/admin/backups/drill", serde_json::json!({})).await).await;
    assert_eq!(d["outcome"], "passed", "{d}");
    assert!(schedule::lapses(&app.state).await.unwrap().is_empty());

    let report = zwfw_store::audit::verify(&app.state.store).await.unwrap();
    assert!(report.defects.is_empty(), "{:?}", report.defects);
    let _ = std::fs::remove_dir_all(&dir);
});

both_backends!(the_backups_page_is_the_system_administrators, |store: Store| async move {
    let dir = data_dir();
    let app = App::start_with_backups(store, NOW, &dir, 7).await;
    let admin = app.ready_token("demo_admin").await;
    let c = signed(&admin);
    let (s, html) = page(&c, &app, "/admin/backups").await;
    assert_eq!(s, StatusCode::OK);
    // The directory is named (its last part: the page escapes the slashes).
    let last = dir.file_name().unwrap().to_string_lossy().into_owned();
    assert!(html.contains("还没有备份记录") && html.contains(&last), "{html}");
    let (_, home) = page(&c, &app, "/").await;
    assert!(home.contains("href=\"/admin/backups\""), "the menu offers the page");

    // 立即备份: the form needs its CSRF token.
    let r = c.post(app.url("/admin/backups/now")).form(&[("x", "1")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(files_in(&dir).is_empty(), "nothing was made");
    let csrf = csrf_of(&html);
    let r = c.post(app.url("/admin/backups/now")).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/admin/backups?done=backup");
    let (_, html) = page(&c, &app, "/admin/backups?done=backup").await;
    let files = files_in(&dir);
    assert_eq!(files.len(), 1);
    assert!(html.contains("数据备份已完成") && html.contains(&files[0]) && html.contains("手动"), "{html}");
    assert_eq!(audited(&app, "backup_created").await, 1);

    // The API says the same.
    let (s, v) = body(app.get(&admin, "/api/v1/admin/backups").await).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["backups"].as_array().unwrap().len(), 1);
    let b = &v["backups"][0];
    assert_eq!(
        (b["outcome"].as_str(), b["present"].as_bool(), b["actor_name"].as_str()),
        (Some("ok"), Some(true), Some("赵建国"))
    );
    assert_eq!((v["keep"].as_i64(), v["every_text"].as_str()), (Some(7), Some("1 天")));

    // Every other role is refused, on the page and the API; nothing is made.
    for who in [
        "demo_center",
        "demo_deptadmin",
        "demo_counter",
        "demo_reviewer",
        "demo_head",
        "demo_supervisor",
        "demo_legal",
        "demo_citizen",
    ] {
        let t = app.ready_token(who).await;
        let (s, _) = code_of(app.get(&t, "/api/v1/admin/backups").await).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{who} reads the backups");
        let (s, _) = code_of(app.post(&t, "/api/v1/admin/backups", serde_json::json!({})).await).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{who} makes a backup");
        let (s, _) = code_of(app.post(&t, "/api/v1/admin/backups/drill", serde_json::json!({})).await).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{who} runs a drill");
        let b = signed(&t);
        let (s, _) = page(&b, &app, "/admin/backups").await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{who} opens the page");
        let (_, home) = page(&b, &app, "/").await;
        assert!(!home.contains("/admin/backups"), "{who} is not offered the page");
    }
    let (s, _) = anon_get(&app, "/api/v1/admin/backups").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(files_in(&dir).len(), 1, "nothing more was made");
    assert_eq!(audited(&app, "backup_drilled").await, 0);
    let _ = std::fs::remove_dir_all(&dir);
});

both_backends!(unencrypted_backups_are_told_unless_chosen, |store: Store| async move {
    use zwfw_app::backup::schedule::BackupConfig;
    let dir = data_dir();
    // No master key, nothing chosen, not a demonstration: the page and the workbench say so.
    let app = App::start_with_backup_settings(store.clone(), BackupConfig::defaults(&dir), false, None).await;
    assert_eq!(schedule::unencrypted_warning(&app.state), Some(schedule::UNENCRYPTED));
    let admin = app.ready_token("demo_admin").await;
    let c = signed(&admin);
    let (_, html) = page(&c, &app, "/admin/backups").await;
    assert!(html.contains("id=\"backup-unencrypted\"") && html.contains("ZWFW_MASTER_KEY"), "{html}");
    let (_, home) = page(&c, &app, "/").await;
    assert!(home.contains("数据备份未加密") && home.contains("encrypt = false"), "{home}");
    let (s, v) = body(app.get(&admin, "/api/v1/admin/backups").await).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["encrypt"], false);
    assert!(v["unencrypted_warning"].as_str().is_some_and(|w| w.contains("主密钥")), "{v}");
    // Other staff are not told.
    let head = app.ready_token("demo_head").await;
    let (_, home) = page(&signed(&head), &app, "/").await;
    assert!(!home.contains("数据备份未加密"));
    // A backup made so is not encrypted.
    let ctx = zwfw_app::Ctx { state: &app.state, actor: None, client_addr: "test".into() };
    let b = schedule::back_up_now(&ctx, "manual").await.unwrap();
    assert!(!b.encrypted, "{b:?}");
    drop(app);

    // An explicit `encrypt = false` is honoured silently.
    let chosen = BackupConfig { encrypt: Some(false), ..BackupConfig::defaults(&dir) };
    let app = App::start_with_backup_settings(store.clone(), chosen, false, None).await;
    assert_eq!(schedule::unencrypted_warning(&app.state), None);
    let actor = actor_of(&app, "demo_admin").await;
    let v = schedule::overview(&zwfw_app::Ctx { state: &app.state, actor: Some(&actor), client_addr: "test".into() })
        .await
        .unwrap();
    assert_eq!((v.encrypt, v.unencrypted_warning), (false, None));
    assert!(v.plain_reason.as_deref().is_some_and(|r| r.contains("encrypt = false")), "{:?}", v.plain_reason);
    drop(app);

    // A demonstration without a master key says so, not that somebody chose it.
    let app = App::start_with_backup_settings(store.clone(), BackupConfig::defaults(&dir), true, None).await;
    assert_eq!(schedule::unencrypted_warning(&app.state), None);
    let actor = actor_of(&app, "demo_admin").await;
    let v = schedule::overview(&zwfw_app::Ctx { state: &app.state, actor: Some(&actor), client_addr: "test".into() })
        .await
        .unwrap();
    let reason = v.plain_reason.unwrap_or_default();
    assert!(reason.contains("演示模式") && !reason.contains("encrypt = false"), "{reason}");
    drop(app);

    // With a master key and nothing chosen, backups are encrypted.
    let key = zwfw_app::licenses::keys::MasterKey::random();
    let app = App::start_with_backup_settings(store, BackupConfig::defaults(&dir), false, Some(key)).await;
    assert_eq!(schedule::unencrypted_warning(&app.state), None);
    let ctx = zwfw_app::Ctx { state: &app.state, actor: None, client_addr: "test".into() };
    let b = schedule::back_up_now(&ctx, "manual").await.unwrap();
    assert!(b.encrypted && b.outcome == "ok", "{b:?}");
    let actor = actor_of(&app, "demo_admin").await;
    let v = schedule::overview(&zwfw_app::Ctx { state: &app.state, actor: Some(&actor), client_addr: "test".into() })
        .await
        .unwrap();
    assert_eq!((v.encrypt, v.unencrypted_warning), (true, None));
    let _ = std::fs::remove_dir_all(&dir);
});
