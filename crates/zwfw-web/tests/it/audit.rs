//! The audit trail against changes made in the database around the
//! program: records swapped, and a trail rewritten and re-chained from end
//! to end, which only the anchors kept outside the database reveal.

use crate::support::*;
use serde_json::{json, Value};
use zwfw_domain::audit::anchor::AnchorDefect;
use zwfw_domain::audit::{record_hash, AuditEntry, AuditRecord, ChainDefect, GENESIS_HASH};
use zwfw_store::db::IntoValue;
use zwfw_store::{both_backends, Store};

/// Every record of the trail, oldest first.
async fn trail(app: &App) -> Vec<AuditRecord> {
    let f = zwfw_store::audit::AuditFilter { limit: 10_000, ..Default::default() };
    let mut all = zwfw_store::audit::list(&app.state.store, &f).await.unwrap();
    all.reverse();
    all
}

/// Writes a record's content and chain fields over the row at `seq`, by SQL.
async fn overwrite(app: &App, seq: i64, r: &AuditRecord) {
    let mut args = zwfw_store::audit::entry_values(&r.entry).to_vec();
    args.extend([r.prev_hash.as_str().into_value(), r.hash.as_str().into_value(), seq.into_value()]);
    let columns: Vec<&str> = zwfw_store::audit::ENTRY_COLUMNS.split(", ").chain(["prev_hash", "hash"]).collect();
    let set: Vec<String> = columns.iter().enumerate().map(|(i, c)| format!("{c} = ${}", i + 1)).collect();
    let sql = format!("UPDATE audit_log SET {} WHERE seq = ${}", set.join(", "), columns.len() + 1);
    zwfw_store::db::query_with(sql, args).execute(app.state.store.pool()).await.unwrap();
}

/// What someone with the database in hand does to hide a change: alter a
/// record, then compute every hash again from the first record on and
/// write the whole trail and its head back.
async fn rewrite_and_rechain(app: &App, seq: i64, reason: &str) {
    let mut records = trail(app).await;
    records[(seq - 1) as usize].entry.reason = reason.into();
    let mut prev = GENESIS_HASH.to_string();
    for r in &mut records {
        r.prev_hash = prev.clone();
        r.hash = record_hash(r.seq, &r.prev_hash, &r.entry);
        prev = r.hash.clone();
    }
    for r in &records {
        overwrite(app, r.seq, r).await;
    }
    app.sql("UPDATE audit_head SET hash = $1 WHERE id = 1", prev).await;
}

/// One more record in the trail, as any audited change writes it.
async fn one_more(app: &App, n: usize) {
    let entry = AuditEntry {
        at_ms: app.state.now_ms(),
        actor_name: "demo_admin".into(),
        actor_role: "system_admin".into(),
        action: "update".into(),
        object_type: "department".into(),
        object_id: n.to_string(),
        detail: json!({"after": {"name": format!("第{n}次更名")}}).to_string(),
        reason: "机构调整".into(),
        client_addr: "127.0.0.1".into(),
        ..Default::default()
    };
    zwfw_store::audit::append_alone(&app.state.store, &entry).await.unwrap();
}

both_backends!(anchors_reveal_a_trail_rewritten_and_re_chained, |store: Store| async move {
    let app = App::start(store).await;
    let dir = app.state.config.data_dir.join("anchors-elsewhere");
    let st = &app.state;
    use zwfw_app::audit::anchor;

    // An anchor of the demo's trail, then one after each of three records.
    let first = anchor::write(st, &dir).await.unwrap();
    let base = first.anchor.seq;
    assert!(base > 10, "the demo writes its trail first");
    let mut files = vec![first];
    for n in 1..=3 {
        one_more(&app, n).await;
        files.push(anchor::write(st, &dir).await.unwrap());
    }
    for n in 4..=6 {
        one_more(&app, n).await;
    }
    files.push(anchor::write(st, &dir).await.unwrap());
    assert_eq!(files.iter().map(|w| w.anchor.seq - base).collect::<Vec<_>>(), vec![0, 1, 2, 3, 6]);
    let on_disk = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(on_disk, 5, "one file per anchor, nothing else left");
    let text = std::fs::read_to_string(&files[1].path).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["format"], "zwfw-audit-anchor/1");
    assert_eq!(v["seq"], base + 1);
    assert_eq!(v["site"], st.config.site_name);
    // The installation's key was made at the first anchor, and that is audited.
    let inst = anchor::installation(st).await.unwrap().unwrap();
    assert_eq!(v["public_key"], inst.public_key);
    assert_eq!(v["installation"], inst.id);
    let made = trail(&app).await.into_iter().filter(|r| r.entry.action == "installation_key_created").count();
    assert_eq!(made, 1);

    // The supervision overview carries the latest anchor.
    let d = zwfw_app::supervision::dashboard_fresh(st).await.unwrap();
    let latest = d.anchor.clone().unwrap();
    assert_eq!((latest.seq, latest.hash.as_str()), (base + 6, files[4].anchor.hash.as_str()));
    assert_eq!(latest.file, files[4].path.file_name().unwrap().to_string_lossy());

    let r = anchor::verify_dir(st, &dir, None).await.unwrap();
    assert!(r.is_sound(), "{:?} {:?}", r.chain.defects, r.defects);
    assert_eq!((r.files, r.valid, r.key_source), (5, 5, "installation"));

    // Record base+2 rewritten, the whole trail re-chained: the chain alone passes.
    rewrite_and_rechain(&app, base + 2, "无").await;
    let plain = zwfw_store::audit::verify(&st.store).await.unwrap();
    assert!(plain.defects.is_empty(), "re-chained, the trail verifies on its own: {:?}", plain.defects);
    let r = anchor::verify_dir(st, &dir, None).await.unwrap();
    assert!(!r.is_sound());
    assert!(r.chain.defects.is_empty());
    assert_eq!(r.defects.len(), 1, "{:?}", r.defects);
    let AnchorDefect::Differs { from_seq, to_seq, file, matching_file, .. } = &r.defects[0] else {
        panic!("{:?}", r.defects)
    };
    assert_eq!((*from_seq, *to_seq), (base + 2, base + 2), "the record itself is named");
    assert_eq!(file, &files[2].path.file_name().unwrap().to_string_lossy());
    assert_eq!(matching_file.as_deref(), Some(&*files[1].path.file_name().unwrap().to_string_lossy()));
    assert!(r.defects[0].to_string().starts_with(&format!("record {} is the first record that differs", base + 2)));

    // Anchors further apart bound the record: between the last anchor that matches and the first that does not.
    rewrite_and_rechain(&app, base + 5, "又改").await;
    std::fs::remove_file(&files[1].path).unwrap();
    std::fs::remove_file(&files[2].path).unwrap();
    std::fs::remove_file(&files[3].path).unwrap();
    let r = anchor::verify_dir(st, &dir, None).await.unwrap();
    assert!(
        matches!(&r.defects[..], [AnchorDefect::Differs { from_seq, to_seq, .. }] if (*from_seq, *to_seq) == (base + 1, base + 6)),
        "{:?}",
        r.defects
    );

    // A forged anchor (its hash replaced) and one signed with another key are named as forged.
    let mut forged: Value = serde_json::from_str(&std::fs::read_to_string(&files[0].path).unwrap()).unwrap();
    let head = zwfw_store::audit::head(&st.store).await.unwrap();
    forged["seq"] = json!(head.0);
    forged["hash"] = json!(head.1);
    std::fs::write(dir.join("audit-anchor-999999999999-forged.json"), forged.to_string()).unwrap();
    let signer = zwfw_app::licenses::SoftwareSigner::generate(zwfw_app::licenses::DEFAULT_SIGNER_ID).unwrap();
    let mut other: zwfw_domain::audit::anchor::Anchor = serde_json::from_value(forged.clone()).unwrap();
    other.public_key = hex::encode(zwfw_app::licenses::Signer::public_key(&signer));
    other.signature = hex::encode(zwfw_app::licenses::Signer::sign(&signer, &other.message()).unwrap());
    std::fs::write(dir.join("audit-anchor-999999999999-other.json"), serde_json::to_string(&other).unwrap()).unwrap();
    std::fs::write(dir.join("audit-anchor-bad.json"), "{").unwrap();
    let r = anchor::verify_dir(st, &dir, None).await.unwrap();
    let names: Vec<String> = r.defects.iter().map(|d| d.to_string()).collect();
    assert!(names.iter().any(|n| n.contains("-forged.json") && n.contains("SM2 signature does not hold")), "{names:?}");
    assert!(names.iter().any(|n| n.contains("-other.json") && n.contains("not the installation's")), "{names:?}");
    assert!(names.iter().any(|n| n.contains("audit-anchor-bad.json is unreadable")), "{names:?}");
    assert_eq!(r.valid, 2, "the forged anchors are not compared with the trail");
    // Checked against the key the operator kept apart, the installation's own anchors are forged too.
    let r = anchor::verify_dir(st, &dir, Some(&other.public_key)).await.unwrap();
    assert_eq!(r.key_source, "given");
    assert!(
        r.defects.iter().any(|d| matches!(d, AnchorDefect::OtherKey { seq, .. } if *seq == base)),
        "{:?}",
        r.defects
    );
});

both_backends!(the_server_anchors_at_its_interval_only_when_the_trail_grew, |store: Store| async move {
    let app = App::start(store).await;
    let mut config = app.state.config.clone();
    let dir = config.data_dir.join("anchors");
    config.audit = zwfw_app::audit::anchor::AnchorConfig { dir: Some(dir.clone()), interval_ms: 600_000 };
    let st = zwfw_app::App::new(app.state.store.clone(), app.state.clock.clone(), config);
    zwfw_app::startup(&st).await.unwrap();
    use zwfw_app::audit::anchor::run_due;
    let w = run_due(&st).await.unwrap().expect("the first anchor");
    assert!(run_due(&st).await.unwrap().is_none(), "not before the interval");
    app.advance(600_000);
    assert!(run_due(&st).await.unwrap().is_none(), "the trail did not grow");
    one_more(&app, 1).await;
    let w2 = run_due(&st).await.unwrap().expect("the interval passed and the trail grew");
    assert_eq!(w2.anchor.seq, w.anchor.seq + 1);
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);
    let d = zwfw_app::supervision::dashboard_fresh(&st).await.unwrap();
    assert_eq!(d.anchor.unwrap().seq, w2.anchor.seq);
    assert!(!d.anchor_late);
    app.advance(1_300_000);
    assert!(zwfw_app::supervision::dashboard_fresh(&st).await.unwrap().anchor_late, "two intervals without an anchor");
});

both_backends!(swapped_audit_records_are_named_not_their_neighbours, |store: Store| async move {
    let app = App::start(store).await;
    let records = trail(&app).await;
    assert!(records.len() > 12);
    // Two records exchange places (every column but the position).
    overwrite(&app, 5, &records[8]).await;
    overwrite(&app, 9, &records[4]).await;
    let r = zwfw_store::audit::verify(&app.state.store).await.unwrap();
    assert_eq!(r.defects, vec![ChainDefect::Swapped { seq: 5, other_seq: 9 }]);
    assert_eq!(r.defects[0].to_string(), "records 5 and 9 were swapped (both intact, each at the other's position)");
    // Put back, and an adjacent pair.
    overwrite(&app, 5, &records[4]).await;
    overwrite(&app, 9, &records[8]).await;
    overwrite(&app, 11, &records[11]).await;
    overwrite(&app, 12, &records[10]).await;
    let r = zwfw_store::audit::verify(&app.state.store).await.unwrap();
    assert_eq!(r.defects, vec![ChainDefect::Swapped { seq: 11, other_seq: 12 }]);
    assert_eq!(trail(&app).await.len(), records.len(), "nothing added or lost");
});
