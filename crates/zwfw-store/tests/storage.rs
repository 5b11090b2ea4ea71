//! The storage suite, run against SQLite and PostgreSQL alike.

use zwfw_domain::admin::{AccountKind, DepartmentKind, Role};
use zwfw_domain::audit::{AuditEntry, ChainDefect};
use zwfw_domain::ids::RegionCode;
use zwfw_store::admin::{self, DepartmentData, NewUser};
use zwfw_store::{audit, auth, both_backends, settings, Store, StoreError};

const NOW: i64 = 1_764_000_000_000;

async fn seed_org(store: &Store) -> (i64, i64) {
    let mut tx = store.begin().await.unwrap();
    let city = admin::insert_region(&mut tx, &RegionCode::parse("520200").unwrap(), "示例市", None, NOW).await.unwrap();
    let dept = admin::insert_department(
        &mut tx,
        &DepartmentData {
            name: "示例市市场监督管理局".into(),
            short_name: "市场监管局".into(),
            credit_code: "11520200MB0000001X".into(),
            kind: DepartmentKind::Approval,
            region_id: city,
            parent_id: None,
            phone: "0858-1234567".into(),
            address: "".into(),
            active: true,
        },
        NOW,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (city, dept)
}

fn staff(username: &str, dept: i64) -> NewUser {
    NewUser {
        username: username.into(),
        kind: AccountKind::Staff,
        display_name: "张三".into(),
        department_id: Some(dept),
        id_number: None,
        credit_code: None,
        legal_rep: None,
        mobile: Some("13800138000".into()),
        password_hash: "$argon2id$fake".into(),
        must_change_password: true,
        is_demo: false,
        roles: vec![Role::Reviewer, Role::Counter],
    }
}

both_backends!(migrations_are_idempotent, |store: Store| async move {
    assert!(store.migrate().await.unwrap().is_empty(), "second run applies nothing");
    store.ping().await.unwrap();
});

both_backends!(organizations_round_trip, |store: Store| async move {
    let (city, dept) = seed_org(&store).await;
    let regions = admin::list_regions(&store).await.unwrap();
    assert_eq!(regions.len(), 1);
    assert_eq!(regions[0].name, "示例市");
    let d = admin::get_department(&store, dept).await.unwrap();
    assert_eq!(d.kind, DepartmentKind::Approval);
    assert_eq!(d.region_id, city);
    assert!(d.active);

    // A duplicate credit code is refused and changes nothing.
    let mut tx = store.begin().await.unwrap();
    let mut data = DepartmentData {
        name: "重复".into(),
        short_name: "".into(),
        credit_code: d.credit_code.clone(),
        kind: DepartmentKind::Approval,
        region_id: city,
        parent_id: None,
        phone: "".into(),
        address: "".into(),
        active: true,
    };
    let err = admin::insert_department(&mut tx, &data, NOW).await.unwrap_err();
    assert!(matches!(err, StoreError::Duplicate("credit_code")), "{err:?}");
    drop(tx);
    assert_eq!(admin::list_departments(&store).await.unwrap().len(), 1);

    let mut tx = store.begin().await.unwrap();
    data.credit_code = "11520200MB0000002X".into();
    data.active = false;
    admin::update_department(&mut tx, dept, &data, NOW + 1).await.unwrap();
    tx.commit().await.unwrap();
    let d = admin::get_department(&store, dept).await.unwrap();
    assert_eq!(d.name, "重复");
    assert!(!d.active);
    assert!(matches!(admin::get_department(&store, 999).await, Err(StoreError::NotFound("department"))));
});

both_backends!(accounts_and_roles, |store: Store| async move {
    let (_, dept) = seed_org(&store).await;
    let mut tx = store.begin().await.unwrap();
    let id = admin::insert_user(&mut tx, &staff("zhangsan", dept), NOW).await.unwrap();
    tx.commit().await.unwrap();
    let u = admin::find_user_by_username(&store, "ZhangSan").await.unwrap().unwrap();
    assert_eq!(u.id, id);
    assert_eq!(u.roles, vec![Role::Counter, Role::Reviewer]);
    assert!(u.must_change_password);

    let mut tx = store.begin().await.unwrap();
    let err = admin::insert_user(&mut tx, &staff("zhangsan", dept), NOW).await.unwrap_err();
    assert!(matches!(err, StoreError::Duplicate("username")), "{err:?}");
    drop(tx);

    // Two public persons cannot share an identity number.
    let person = |username: &str| NewUser {
        username: username.into(),
        kind: AccountKind::Person,
        display_name: "李四".into(),
        department_id: None,
        id_number: Some("11010519491231002X".into()),
        credit_code: None,
        legal_rep: None,
        mobile: None,
        password_hash: "x".into(),
        must_change_password: false,
        is_demo: false,
        roles: vec![],
    };
    let mut tx = store.begin().await.unwrap();
    admin::insert_user(&mut tx, &person("lisi"), NOW).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let err = admin::insert_user(&mut tx, &person("lisi2"), NOW).await.unwrap_err();
    assert!(matches!(err, StoreError::Duplicate("id_number")), "{err:?}");
    drop(tx);

    let mut tx = store.begin().await.unwrap();
    admin::set_roles(&mut tx, id, &[Role::DeptHead]).await.unwrap();
    admin::record_login_failure(&mut tx, id, 0, Some(NOW + 900_000)).await.unwrap();
    tx.commit().await.unwrap();
    let u = admin::get_user(&store, id).await.unwrap();
    assert_eq!(u.roles, vec![Role::DeptHead]);
    assert_eq!(u.locked_until, Some(NOW + 900_000));
    assert_eq!(admin::list_staff(&store, Some(dept)).await.unwrap().len(), 1);
    assert_eq!(admin::list_staff(&store, Some(dept + 1)).await.unwrap().len(), 0);
    assert_eq!(admin::list_public_users(&store, 10).await.unwrap().len(), 1);

    // TOTP steps only move forward.
    let mut tx = store.begin().await.unwrap();
    assert!(admin::use_totp_step(&mut tx, id, 100).await.unwrap());
    assert!(!admin::use_totp_step(&mut tx, id, 100).await.unwrap());
    assert!(admin::use_totp_step(&mut tx, id, 101).await.unwrap());
    tx.commit().await.unwrap();
});

both_backends!(sessions_live_in_the_database, |store: Store| async move {
    let (_, dept) = seed_org(&store).await;
    let mut tx = store.begin().await.unwrap();
    let uid = admin::insert_user(&mut tx, &staff("wangwu", dept), NOW).await.unwrap();
    let s1 = auth::insert_session(
        &mut tx,
        &auth::NewSession {
            token_hash: "h1",
            user_id: uid,
            csrf_token: "c1",
            mfa_pending: false,
            client_addr: "127.0.0.1",
            user_agent: "test",
        },
        NOW,
    )
    .await
    .unwrap();
    let s2 = auth::insert_session(
        &mut tx,
        &auth::NewSession {
            token_hash: "h2",
            user_id: uid,
            csrf_token: "c2",
            mfa_pending: true,
            client_addr: "127.0.0.2",
            user_agent: "test",
        },
        NOW,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(auth::list_user_sessions(&store, uid).await.unwrap().len(), 2);
    auth::touch_session(&store, s1, NOW + 120_000).await.unwrap();
    assert_eq!(auth::find_session(&store, "h1").await.unwrap().unwrap().last_seen_at, NOW + 120_000);
    let mut tx = store.begin().await.unwrap();
    assert_eq!(auth::end_user_sessions(&mut tx, uid, Some(s1), "password_changed", NOW).await.unwrap(), 1);
    tx.commit().await.unwrap();
    assert!(auth::find_session(&store, "h2").await.unwrap().is_none());
    assert_eq!(auth::get_session(&store, s2).await.unwrap().end_reason.as_deref(), Some("password_changed"));
});

fn entry(i: i64) -> AuditEntry {
    AuditEntry {
        at_ms: NOW + i,
        actor_id: Some(1),
        actor_name: "admin".into(),
        actor_role: "system_admin".into(),
        department_id: Some(1),
        action: "update".into(),
        object_type: "department".into(),
        object_id: i.to_string(),
        detail: format!("{{\"n\":{i}}}"),
        reason: "测试".into(),
        client_addr: "127.0.0.1".into(),
    }
}

both_backends!(audit_chain_detects_tampering, |store: Store| async move {
    for i in 1..=6 {
        audit::append_alone(&store, &entry(i)).await.unwrap();
    }
    let report = audit::verify(&store).await.unwrap();
    assert_eq!((report.checked, report.head_seq), (6, 6));
    assert!(report.defects.is_empty(), "{:?}", report.defects);

    // A rolled-back change leaves no audit record and no gap.
    let mut tx = store.begin().await.unwrap();
    audit::append(&mut tx, &entry(7)).await.unwrap();
    drop(tx);
    assert_eq!(audit::verify(&store).await.unwrap().head_seq, 6);

    zwfw_store::db::query("UPDATE audit_log SET reason = 'forged' WHERE seq = 3").execute(store.pool()).await.unwrap();
    zwfw_store::db::query("DELETE FROM audit_log WHERE seq = 5").execute(store.pool()).await.unwrap();
    let report = audit::verify(&store).await.unwrap();
    assert_eq!(report.defects, vec![ChainDefect::Altered { seq: 3 }, ChainDefect::Removed { from_seq: 5, to_seq: 5 }]);

    let list =
        audit::list(&store, &audit::AuditFilter { object_id: Some("4".into()), limit: 10, ..Default::default() })
            .await
            .unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].entry.reason, "测试");
});

both_backends!(audit_records_appended_together_chain_in_order, |store: Store| async move {
    audit::append_alone(&store, &entry(1)).await.unwrap();
    // 450 records in one call: more than one statement's worth, with single
    // appends before and after them in the same transaction.
    let many: Vec<AuditEntry> = (2..=451).map(entry).collect();
    let mut tx = store.begin().await.unwrap();
    audit::append_many(&mut tx, &many).await.unwrap();
    audit::append(&mut tx, &entry(452)).await.unwrap();
    audit::append_many(&mut tx, &[]).await.unwrap();
    tx.commit().await.unwrap();
    audit::seal(&store).await.unwrap();
    let report = audit::verify(&store).await.unwrap();
    assert_eq!((report.checked, report.head_seq), (452, 452));
    assert!(report.defects.is_empty(), "{:?}", report.defects);
    // In the order given.
    let objects: Vec<String> = audit::list(&store, &audit::AuditFilter { limit: 1000, ..Default::default() })
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.seq, r.entry.object_id))
        .filter(|(seq, id)| *id != seq.to_string())
        .map(|(_, id)| id)
        .collect();
    assert!(objects.is_empty(), "records out of their order: {objects:?}");

    // Rolled back together, leaving no gap.
    let mut tx = store.begin().await.unwrap();
    audit::append_many(&mut tx, &[entry(453), entry(454)]).await.unwrap();
    drop(tx);
    audit::append_alone(&store, &entry(453)).await.unwrap();
    audit::seal(&store).await.unwrap();
    let report = audit::verify(&store).await.unwrap();
    assert_eq!((report.checked, report.head_seq), (453, 453));
    assert!(report.defects.is_empty(), "{:?}", report.defects);
});

both_backends!(concurrent_audit_writers_keep_one_chain, |store: Store| async move {
    let mut tasks = Vec::new();
    for i in 0..20 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move { audit::append_alone(&s, &entry(i)).await.unwrap() }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let report = audit::verify(&store).await.unwrap();
    assert_eq!((report.checked, report.head_seq), (20, 20));
    assert!(report.defects.is_empty(), "{:?}", report.defects);
});

both_backends!(settings_upsert, |store: Store| async move {
    assert_eq!(settings::get(&store, "k").await.unwrap(), None);
    for v in ["1", "2"] {
        let mut tx = store.begin().await.unwrap();
        settings::put(&mut tx, "k", v, NOW).await.unwrap();
        tx.commit().await.unwrap();
    }
    assert_eq!(settings::get(&store, "k").await.unwrap().as_deref(), Some("2"));
});

both_backends!(calendar_years_round_trip, |store: Store| async move {
    let shipped = zwfw_domain::calendar::shipped_years();
    let mut tx = store.begin().await.unwrap();
    let added = zwfw_store::calendar::insert_missing(&mut tx, &shipped, NOW).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(added.len(), shipped.len());
    let mut tx = store.begin().await.unwrap();
    assert!(zwfw_store::calendar::insert_missing(&mut tx, &shipped, NOW).await.unwrap().is_empty());
    let mut edited = shipped[0].clone();
    edited.workdays.clear();
    zwfw_store::calendar::put_year(&mut tx, &edited, "admin", NOW + 1).await.unwrap();
    tx.commit().await.unwrap();
    let years = zwfw_store::calendar::list_years(&store).await.unwrap();
    assert_eq!(years.len(), shipped.len());
    assert_eq!(years[0].spec, edited);
    assert_eq!((years[0].source.as_str(), years[0].updated_by.as_str()), ("edited", "admin"));
    assert_eq!(years[1].spec, shipped[1]);
    let cal = zwfw_domain::calendar::Calendar::new(years.into_iter().map(|y| y.spec).collect()).unwrap();
    assert_eq!(cal.years(), Some((2010, 2026)));
});

both_backends!(catalog_versions_and_guards, |store: Store| async move {
    use zwfw_domain::catalog::{example, VersionState};
    use zwfw_store::catalog as cat;
    let (_, dept) = seed_org(&store).await;
    let content = example(dept);
    let mut tx = store.begin().await.unwrap();
    let (item, v1) = cat::create_item(&mut tx, "CODE-1", &content, "新增", Some(1), NOW).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        cat::create_item(&mut tx, "CODE-1", &content, "新增", None, NOW).await,
        Err(StoreError::Duplicate("impl_code"))
    ));
    drop(tx);

    // Draft → legal review → centre approval → published.
    let mut tx = store.begin().await.unwrap();
    let mut edited = content.clone();
    edited.promised_limit_days = 9;
    edited.steps[1].limit_days = 5;
    cat::update_draft(&mut tx, v1, &edited, "改时限", NOW).await.unwrap();
    cat::move_version(&mut tx, v1, VersionState::Draft, VersionState::LegalReview, NOW).await.unwrap();
    cat::move_version(&mut tx, v1, VersionState::LegalReview, VersionState::CenterApproval, NOW).await.unwrap();
    cat::publish(&mut tx, item, v1, NOW).await.unwrap();
    tx.commit().await.unwrap();
    // A published version never changes.
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(cat::update_draft(&mut tx, v1, &content, "x", NOW).await, Err(StoreError::Conflict(_))));
    assert!(matches!(
        cat::move_version(&mut tx, v1, VersionState::CenterApproval, VersionState::Published, NOW).await,
        Err(StoreError::Conflict(_))
    ));
    drop(tx);
    let v = cat::get_version(&store, v1).await.unwrap();
    assert_eq!((v.state, v.content.promised_limit_days), (VersionState::Published, 9));

    // One open version at a time; publishing the second supersedes the first.
    let mut tx = store.begin().await.unwrap();
    let v2 = cat::open_new_version(&mut tx, item, &v.content, "调整材料", Some(1), NOW).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        cat::open_new_version(&mut tx, item, &v.content, "again", None, NOW).await,
        Err(StoreError::Conflict(_))
    ));
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    cat::move_version(&mut tx, v2, VersionState::Draft, VersionState::LegalReview, NOW).await.unwrap();
    cat::move_version(&mut tx, v2, VersionState::LegalReview, VersionState::CenterApproval, NOW).await.unwrap();
    cat::publish(&mut tx, item, v2, NOW + 5).await.unwrap();
    tx.commit().await.unwrap();
    let vs = cat::versions(&store, item).await.unwrap();
    assert_eq!(vs.iter().map(|v| v.state).collect::<Vec<_>>(), vec![VersionState::Superseded, VersionState::Published]);

    let public = cat::list(
        &store,
        &cat::ItemFilter { published_only: true, service_object: Some("1".into()), ..Default::default() },
    )
    .await
    .unwrap();
    assert_eq!(public.len(), 1);
    assert_eq!(public[0].version_no, 2);
    let none = cat::list(
        &store,
        &cat::ItemFilter { published_only: true, service_object: Some("5".into()), ..Default::default() },
    )
    .await
    .unwrap();
    assert!(none.is_empty());
    let themed = cat::list(
        &store,
        &cat::ItemFilter { published_only: true, theme: Some("开办企业".into()), ..Default::default() },
    )
    .await
    .unwrap();
    assert_eq!(themed.len(), 1);
    let mut tx = store.begin().await.unwrap();
    cat::retire(&mut tx, item, "职能调整", NOW).await.unwrap();
    tx.commit().await.unwrap();
    assert!(cat::list(&store, &cat::ItemFilter { published_only: true, ..Default::default() })
        .await
        .unwrap()
        .is_empty());
});

/// `synchronous_commit=off` in a PostgreSQL URL is set on every connection
/// of the pool (and is not passed on to the server as an unknown parameter).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_asynchronous_commit_is_set_on_every_connection() {
    let Some(db) = zwfw_store::testing::postgres("storage::asynchronous_commit").await else { return };
    for (param, expected) in [("", "on"), ("?synchronous_commit=off", "off")] {
        let store = Store::connect(&format!("{}{param}", db.url)).await.unwrap();
        // Several connections at once: each one has it.
        let mut txs = vec![];
        for _ in 0..3 {
            txs.push(store.begin().await.unwrap());
        }
        for tx in &mut txs {
            let r = zwfw_store::db::query("SELECT current_setting('synchronous_commit') AS s")
                .fetch_one(tx.conn())
                .await
                .unwrap();
            assert_eq!(r.value("s"), Some(&zwfw_store::db::Value::Text(expected.into())), "{param}");
        }
        for tx in txs {
            tx.commit().await.unwrap();
        }
        store.close().await;
    }
    db.cleanup().await;
}

// Many writers at once (on SQLite their commits are grouped): every commit
// that returned is stored and visible to a new reader at once, every
// transaction dropped or failed leaves nothing, whatever the others did.
both_backends!(concurrent_commits_and_rollbacks_are_kept_apart, |store: Store| async move {
    let mut tasks = Vec::new();
    for i in 0..60 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = s.begin().await.unwrap();
            settings::put(&mut tx, &format!("g{i}"), "1", NOW).await.unwrap();
            // Each with its audit records, chained within the group.
            for _ in 0..1 + i % 3 {
                audit::append(&mut tx, &entry(i)).await.unwrap();
            }
            match i % 4 {
                // Dropped: rolled back, alone.
                0 => {
                    drop(tx);
                    false
                }
                // A statement fails, and the transaction is given up.
                1 => {
                    let bad = zwfw_store::db::query("INSERT INTO no_such_table VALUES (1)").execute(tx.conn()).await;
                    assert!(bad.is_err());
                    drop(tx);
                    false
                }
                _ => {
                    tokio::task::yield_now().await;
                    tx.commit().await.unwrap();
                    // Visible to a reader as soon as the commit returned.
                    assert_eq!(settings::get(&s, &format!("g{i}")).await.unwrap().as_deref(), Some("1"));
                    true
                }
            }
        }));
    }
    let mut expected = vec![];
    for (i, t) in tasks.into_iter().enumerate() {
        if t.await.unwrap() {
            expected.push(i);
        }
    }
    for i in 0..60 {
        let v = settings::get(&store, &format!("g{i}")).await.unwrap();
        assert_eq!(v.is_some(), expected.contains(&i), "g{i}");
    }
    // The audit records of exactly the committed ones, in one whole chain.
    let report = audit::verify(&store).await.unwrap();
    assert!(report.defects.is_empty(), "{:?}", report.defects);
    let records: Vec<i64> = expected.iter().map(|i| 1 + *i as i64 % 3).collect();
    assert_eq!((report.checked, report.head_seq), (records.iter().sum(), records.iter().sum()));
    let list = audit::list(&store, &audit::AuditFilter { limit: 1000, ..Default::default() }).await.unwrap();
    let mut ids: Vec<usize> = list.iter().map(|r| r.entry.object_id.parse().unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids, expected);
    // A change outside a transaction after all that is stored too.
    zwfw_store::db::query("UPDATE settings SET value = '2' WHERE key = 'g2'").execute(store.pool()).await.unwrap();
    assert_eq!(settings::get(&store, "g2").await.unwrap().as_deref(), Some("2"));
});

// A transaction that commits while another waits for the writer, which then
// gives up (dropped): the first one's commit still completes and is stored.
both_backends!(a_commit_outlives_the_transaction_after_it, |store: Store| async move {
    let mut first = store.begin().await.unwrap();
    settings::put(&mut first, "first", "1", NOW).await.unwrap();
    let s = store.clone();
    let second = tokio::spawn(async move {
        let mut tx = s.begin().await.unwrap();
        settings::put(&mut tx, "second", "1", NOW).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        drop(tx);
    });
    // Let the second one queue behind the first.
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    first.commit().await.unwrap();
    second.await.unwrap();
    assert_eq!(settings::get(&store, "first").await.unwrap().as_deref(), Some("1"));
    assert_eq!(settings::get(&store, "second").await.unwrap(), None);
    // A waiting writer cancelled before it got the writer does not hold the group up.
    let mut third = store.begin().await.unwrap();
    settings::put(&mut third, "third", "1", NOW).await.unwrap();
    let s = store.clone();
    let waiter = tokio::spawn(async move {
        let _tx = s.begin().await.unwrap();
    });
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let committing = tokio::spawn(async move { third.commit().await });
    waiter.abort();
    committing.await.unwrap().unwrap();
    assert_eq!(settings::get(&store, "third").await.unwrap().as_deref(), Some("1"));
});

// Records cut off the end of the trail show: the head is kept apart from them.
both_backends!(audit_tail_removed_is_seen, |store: Store| async move {
    for i in 1..=3 {
        audit::append_alone(&store, &entry(i)).await.unwrap();
    }
    audit::seal(&store).await.unwrap();
    zwfw_store::db::query("DELETE FROM audit_log WHERE seq = 3").execute(store.pool()).await.unwrap();
    let report = audit::verify(&store).await.unwrap();
    assert_eq!(report.defects, vec![ChainDefect::TailRemoved { last_seq: 2, expected_last_seq: 3 }]);
});

// PostgreSQL seals audit records after their commits, in the order they
// became visible: a transaction that commits late is sealed after the
// transactions that committed before it, and the chain stays whole.
both_backends!(audit_records_sealed_in_commit_order, |store: Store| async move {
    if store.backend() != zwfw_store::Backend::Postgres {
        return; // a SQLite writer excludes every other: nothing can interleave
    }
    let mut late = store.begin().await.unwrap();
    audit::append(&mut late, &entry(1)).await.unwrap();
    audit::append_alone(&store, &entry(2)).await.unwrap();
    let report = audit::verify(&store).await.unwrap();
    assert_eq!((report.checked, report.head_seq), (1, 1), "only the committed record is in the chain");
    late.commit().await.unwrap();
    let report = audit::verify(&store).await.unwrap();
    assert_eq!((report.checked, report.head_seq), (2, 2));
    assert!(report.defects.is_empty(), "{:?}", report.defects);
    let list = audit::list(&store, &audit::AuditFilter { limit: 10, ..Default::default() }).await.unwrap();
    let order: Vec<(i64, &str)> = list.iter().map(|r| (r.seq, r.entry.object_id.as_str())).collect();
    assert_eq!(order, vec![(2, "1"), (1, "2")]);

    // A pending record removed around the program before it was sealed is
    // recorded by the guard (the sealer waits on the chain's head meanwhile).
    let mut hold = store.begin().await.unwrap();
    zwfw_store::db::query("SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE").execute(hold.conn()).await.unwrap();
    audit::append_alone(&store, &entry(3)).await.unwrap();
    assert_eq!(zwfw_store::testing::execute_outside(&store, "DELETE FROM audit_pending").await.unwrap(), 1);
    drop(hold);
    let report = audit::verify(&store).await.unwrap();
    assert_eq!((report.checked, report.head_seq), (2, 2));
    let tamper = zwfw_store::guards::tamper_after(&store, 0, 10).await.unwrap();
    assert_eq!(
        tamper.iter().map(|t| (t.table_name.as_str(), t.op.as_str())).collect::<Vec<_>>(),
        vec![("audit_pending", "delete")]
    );
    assert!(tamper[0].row_data.contains("\"object_id\":\"3\""), "{}", tamper[0].row_data);

    // A record committed by a process that died before sealing it is sealed
    // by the next one.
    zwfw_store::db::query(
        "INSERT INTO audit_pending (at, actor_id, actor_name, actor_role, department_id, action, object_type, object_id, detail, reason, client_addr) \
         VALUES (1, NULL, 'admin', 'system_admin', NULL, 'update', 'department', '9', '{}', '', '127.0.0.1')",
    )
    .execute(store.pool())
    .await
    .unwrap();
    let report = audit::verify(&store).await.unwrap();
    assert_eq!((report.checked, report.head_seq), (3, 3));
    assert!(report.defects.is_empty(), "{:?}", report.defects);
});

/// The PostgreSQL pool gives connections back without a round trip, so it
/// must never hand out one left in a wrong state: a transaction dropped
/// without its commit is rolled back first; a connection whose statement was
/// abandoned halfway, or that the server closed, is not reused; one whose
/// statement the database refused is. More rounds than the pool has
/// connections show that none is lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_pool_reuses_only_connections_in_a_known_state() {
    use zwfw_store::db::{query, Value};
    let Some(db) = zwfw_store::testing::postgres("storage::pool_states").await else { return };
    let store = db.store().await.unwrap();
    let count = |store: Store| async move {
        match query("SELECT COUNT(*) AS n FROM settings WHERE key LIKE 'pool:%'")
            .fetch_one(store.pool())
            .await
            .unwrap()
            .value("n")
        {
            Some(Value::Int(n)) => *n,
            v => panic!("{v:?}"),
        }
    };
    let insert = "INSERT INTO settings (key, value, updated_at) VALUES ($1, '', 0)";
    for round in 0..40 {
        // Dropped without commit: nothing stays, and the next statements are not inside it.
        let mut tx = store.begin().await.unwrap();
        query(insert).bind(format!("pool:dropped:{round}")).execute(tx.conn()).await.unwrap();
        drop(tx);
        // Refused by the database: the connection goes on.
        query(insert).bind("pool:kept").execute(store.pool()).await.ok();
        let twice = query(insert).bind("pool:kept").execute(store.pool()).await;
        assert!(twice.is_err_and(|e| e.unique));
        // Abandoned halfway: the late answer never reaches another statement.
        let slow = query("SELECT CAST(pg_sleep(0.2) AS TEXT) AS s, 'slow' AS who").fetch_one(store.pool());
        assert!(tokio::time::timeout(std::time::Duration::from_millis(5), slow).await.is_err());
        let r = query("SELECT 'fast' AS who").fetch_one(store.pool()).await.unwrap();
        assert_eq!(r.value("who"), Some(&Value::Text("fast".into())));
    }
    assert_eq!(count(store.clone()).await, 1, "only the one committed row");

    // The server closes every connection of the program: after a pause the
    // pool notices before handing one out.
    let mut tx = store.begin().await.unwrap();
    query("SELECT 1 AS one").fetch_one(tx.conn()).await.unwrap();
    tx.commit().await.unwrap();
    let killed = zwfw_store::testing::execute_outside(
        &store,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .await
    .unwrap();
    assert!(killed >= 1);
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    for _ in 0..20 {
        assert_eq!(count(store.clone()).await, 1);
    }
    store.close().await;
    db.cleanup().await;
}

both_backends!(evaluation_reads_cases_by_the_domain_sets_of_states, |store: Store| async move {
    use zwfw_domain::catalog::example;
    use zwfw_domain::evaluation::JUDGED_STATES;
    use zwfw_store::{catalog as cat, evaluation as ev};
    let (_, dept) = seed_org(&store).await;
    let mut tx = store.begin().await.unwrap();
    let (item, version) = cat::create_item(&mut tx, "CODE-1", &example(dept), "新增", Some(1), NOW).await.unwrap();
    tx.commit().await.unwrap();
    // (state, outcome, concluded at, promised deadline, suspended)
    let cases = [
        ("concluded", Some("granted"), Some(NOW), Some("2025-11-20"), 0),
        // Delivered after its conclusion: still a conclusion of the period.
        ("delivered", Some("denied"), Some(NOW + 1), Some("2025-11-21"), 0),
        ("concluded", Some("voided"), Some(NOW + 2), Some("2025-11-22"), 0),
        ("refused", None, Some(NOW + 3), None, 0),
        ("withdrawn", None, Some(NOW + 4), Some("2025-11-23"), 0),
        ("in_progress", None, None, Some("2025-11-24"), 0),
        // Its clock stands still in a special procedure.
        ("deciding", None, None, Some("2025-11-25"), 1),
    ];
    for (state, outcome, concluded_at, promised_due, suspended) in cases {
        zwfw_store::db::query(
            "INSERT INTO cases (item_id, version_id, item_name, impl_code, department_id, applicant_kind, \
             applicant_name, applicant_id_no, applicant_mobile, applicant_address, form, channel, query_hash, \
             state, seq, step_no, step_name, concluded_at, promised_due, suspended, supplement_notices, \
             deemed_accepted, outcome, created_at, updated_at) \
             VALUES ($1, $2, '食品经营许可', 'CODE-1', $3, 'natural', '张三', '', '', '', '{}', 'counter', '', \
             $4, 1, 0, '', $5, $6, $7, 0, 0, $8, $9, $9)",
        )
        .bind(item)
        .bind(version)
        .bind(dept)
        .bind(state)
        .bind(concluded_at)
        .bind(promised_due)
        .bind(suspended)
        .bind(outcome)
        .bind(NOW)
        .execute(store.pool())
        .await
        .unwrap();
    }
    let concluded = ev::concluded_between(&store, NOW - 1, NOW + 100).await.unwrap();
    let mut concluded: Vec<_> = concluded.iter().map(|c| c.concluded_at).collect();
    concluded.sort();
    assert_eq!(concluded, [NOW, NOW + 1]);
    let mut due = ev::deadlines_between(&store, "2025-11-01", "2025-12-01").await.unwrap();
    due.sort_by(|a, b| a.promised_due.cmp(&b.promised_due));
    let due: Vec<_> = due.iter().map(|d| (d.promised_due.as_str(), d.concluded_at)).collect();
    assert_eq!(due, [("2025-11-20", Some(NOW)), ("2025-11-21", Some(NOW + 1)), ("2025-11-24", None)]);
    assert!(JUDGED_STATES.iter().all(|s| s.is_open() || s.is_concluded()));
});

/// A sink keeping a snapshot's tables and rows in memory.
#[derive(Default)]
struct Kept {
    tables: Vec<(zwfw_store::backup::Table, Vec<Vec<zwfw_store::db::Value>>)>,
}

impl zwfw_store::backup::Sink for Kept {
    fn table(&mut self, t: &zwfw_store::backup::Table) -> Result<(), zwfw_store::backup::Stop> {
        self.tables.push((t.clone(), vec![]));
        Ok(())
    }
    fn row(&mut self, values: &[zwfw_store::db::Value]) -> Result<(), zwfw_store::backup::Stop> {
        self.tables.last_mut().expect("a table first").1.push(values.to_vec());
        Ok(())
    }
}

async fn kept(store: &Store) -> (zwfw_store::backup::Snapshot, Kept) {
    let (snap, sink) = zwfw_store::backup::snapshot(store, Kept::default()).await;
    (snap.unwrap(), sink)
}

/// A second, empty database on the same engine as `store` (not migrated).
async fn empty_like(store: &Store) -> zwfw_store::scratch::ScratchDb {
    match store.backend() {
        zwfw_store::Backend::Sqlite => zwfw_store::scratch::ScratchDb::sqlite(),
        zwfw_store::Backend::Postgres => {
            zwfw_store::scratch::ScratchDb::postgres_on(&zwfw_store::testing::postgres_admin_url()).await.unwrap()
        }
    }
}

/// Loads `k` into `target` and finishes with `expected` counts.
async fn load(
    target: &Store,
    snap: &zwfw_store::backup::Snapshot,
    k: &Kept,
    expected: &[(String, i64)],
) -> Result<zwfw_store::backup::Restored, zwfw_store::backup::Mismatch> {
    let version = snap.migrations.last().unwrap().0;
    let mut loader = zwfw_store::backup::Loader::begin(target, version).await.unwrap();
    for (t, rows) in &k.tables {
        let cols: Vec<String> = t.columns.iter().map(|c| c.name.clone()).collect();
        loader.start_table(&t.name, &cols).await.unwrap();
        for r in rows {
            loader.row(r.clone()).await.unwrap();
        }
    }
    let head = k.tables.iter().find(|(t, _)| t.name == "audit_head").unwrap();
    let seq = match &head.1[0][1] {
        zwfw_store::db::Value::Int(n) => *n,
        v => panic!("{v:?}"),
    };
    let hash = match &head.1[0][2] {
        zwfw_store::db::Value::Text(s) => s.clone(),
        v => panic!("{v:?}"),
    };
    loader.finish(&snap.last_ids, expected, (seq, &hash)).await.unwrap()
}

both_backends!(a_freshly_migrated_database_is_an_empty_restore_target, |store: Store| async move {
    // Every row a migration writes is known as seeded: a restore into a new
    // database (which it migrates first) replaces them instead of colliding.
    let state = zwfw_store::backup::target_state(&store).await.unwrap();
    assert!(state.is_empty(), "rows written by the migrations, unknown to the restore: {:?}", state.rows);
});

both_backends!(backup_rows_load_into_an_empty_database_or_not_at_all, |store: Store| async move {
    use zwfw_store::backup::{target_state, Mismatch};
    let (_, dept) = seed_org(&store).await;
    let mut tx = store.begin().await.unwrap();
    let user = admin::insert_user(&mut tx, &staff("zhangsan", dept), NOW).await.unwrap();
    let session = auth::NewSession {
        token_hash: "h1",
        user_id: user,
        csrf_token: "c1",
        mfa_pending: false,
        client_addr: "127.0.0.1",
        user_agent: "test",
    };
    let sid = auth::insert_session(&mut tx, &session, NOW).await.unwrap();
    tx.commit().await.unwrap();
    for i in 1..=5 {
        audit::append_alone(&store, &entry(i)).await.unwrap();
    }
    // A number handed out and its row gone: the restored database must not hand it out again.
    zwfw_store::db::query("DELETE FROM sessions").execute(store.pool()).await.unwrap();
    let _ = sid;
    let (snap, k) = kept(&store).await;
    let users = k.tables.iter().find(|(t, _)| t.name == "users").unwrap();
    assert_eq!(users.1.len(), 1);
    let names: Vec<&str> = k.tables.iter().map(|(t, _)| t.name.as_str()).collect();
    let pos = |n: &str| names.iter().position(|x| *x == n).unwrap();
    assert!(pos("regions") < pos("departments") && pos("departments") < pos("users"), "{names:?}");
    assert!(!names.contains(&"zwfw_migrations"));
    let counts: Vec<(String, i64)> = k.tables.iter().map(|(t, r)| (t.name.clone(), r.len() as i64)).collect();

    // A wrong count: the load is rolled back, and the target is as it was.
    let db = empty_like(&store).await;
    let target = Store::connect(&db.url).await.unwrap();
    assert!(target_state(&target).await.unwrap().is_empty());
    let mut wrong = counts.clone();
    wrong.iter_mut().find(|(t, _)| t == "users").unwrap().1 = 2;
    let r = load(&target, &snap, &k, &wrong).await;
    assert_eq!(r.unwrap_err(), Mismatch::Count { table: "users".into(), found: 1, expected: 2 });
    let state = target_state(&target).await.unwrap();
    assert_eq!((state.tables, state.schema_version), (0, None), "nothing kept: {state:?}");

    // The right counts: every row is there, the chain verifies, the numbering goes on.
    let restored = load(&target, &snap, &k, &counts).await.unwrap();
    assert_eq!(restored.audit_checked, 5);
    assert!(!target_state(&target).await.unwrap().is_empty());
    let (snap2, k2) = kept(&target).await;
    assert_eq!(k2.tables, k.tables);
    assert_eq!(snap2.last_ids, snap.last_ids);
    assert!(audit::verify(&target).await.unwrap().defects.is_empty());
    let mut tx = target.begin().await.unwrap();
    let next = admin::insert_user(&mut tx, &staff("lisi", dept), NOW).await.unwrap();
    let next_session =
        auth::insert_session(&mut tx, &auth::NewSession { token_hash: "h2", ..session }, NOW).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(next, user + 1);
    assert_eq!(next_session, sid + 1, "the number of the removed session is not handed out again");
    // The triggers are back: the guards, and the kept counts.
    assert!(zwfw_store::guards::missing_guards(&target).await.unwrap().is_empty());
    let triggers = |s: &Store| {
        let sql = match s.backend() {
            zwfw_store::Backend::Sqlite => "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'trigger'",
            zwfw_store::Backend::Postgres => {
                "SELECT COUNT(*) AS n FROM pg_trigger WHERE NOT tgisinternal AND tgenabled = 'O'"
            }
        };
        let s = s.clone();
        async move {
            match zwfw_store::db::query(sql).fetch_one(s.pool()).await.unwrap().value("n") {
                Some(zwfw_store::db::Value::Int(n)) => *n,
                v => panic!("{v:?}"),
            }
        }
    };
    assert_eq!(triggers(&target).await, triggers(&store).await, "every trigger made again and enabled");
    target.close().await;
    db.cleanup().await;
});

/// SQLite's group commit: a committed write is read right after its commit
/// through the pooled readers, while other transactions join its group,
/// commit, roll back, and statements run outside any transaction.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_commit_is_read_at_once_under_concurrent_writers() {
    let db = zwfw_store::scratch::ScratchDb::sqlite();
    let store = db.store().await.unwrap();
    let (_, dept) = seed_org(&store).await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut bg = vec![];
    for k in 0..3u64 {
        let (store, stop) = (store.clone(), stop.clone());
        bg.push(tokio::spawn(async move {
            let mut i = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                i += 1;
                match (i + k) % 4 {
                    0 => {
                        let mut tx = store.begin().await.unwrap();
                        zwfw_store::db::query("UPDATE outbox_cursors SET pos = pos WHERE name = 'nothing'")
                            .execute(tx.conn())
                            .await
                            .unwrap();
                        drop(tx);
                    }
                    1 => {
                        let mut tx = store.begin().await.unwrap();
                        settings::put(&mut tx, "stress", &i.to_string(), NOW).await.unwrap();
                        tx.commit().await.unwrap();
                    }
                    2 => {
                        zwfw_store::db::query("UPDATE outbox_cursors SET pos = pos WHERE name = 'nothing'")
                            .execute(store.pool())
                            .await
                            .unwrap();
                    }
                    _ => tokio::task::yield_now().await,
                }
            }
        }));
    }
    for n in 0..3000 {
        let mut tx = store.begin().await.unwrap();
        let id = admin::insert_user(&mut tx, &staff(&format!("stress{n}"), dept), NOW).await.unwrap();
        tx.commit().await.unwrap();
        match admin::get_user(&store, id).await {
            Ok(_) => {}
            Err(e) => panic!("user {n} ({id}) not read after its commit: {e}"),
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for b in bg {
        b.await.unwrap();
    }
}
