//! The checks an end-to-end test ends with: what the database keeps for the
//! program still holds after everything the test made it do.

use super::App;

/// The invariants the database keeps for the program hold: nothing the
/// program did looked to the guards like a change made around it (rule
/// A07: it never deletes business data, rewrites an append-only record or
/// edits a published item version), and the kept counts are right.
pub async fn assert_invariants(app: &App) {
    let seen = zwfw_store::guards::tamper_after(&app.state.store, 0, 100).await.unwrap();
    assert!(seen.is_empty(), "the program itself set off a guard: {seen:?}");
    assert!(zwfw_store::guards::missing_guards(&app.state.store).await.unwrap().is_empty());
    // The dashboard's kept counts of open cases agree with the cases.
    let kept = zwfw_store::supervision::open_cases_by_department(&app.state.store).await.unwrap();
    let counted = zwfw_store::supervision::open_cases_counted(&app.state.store).await.unwrap();
    assert_eq!(kept, counted, "open case counts kept by the triggers");
    // What the indexes and inboxes read instead of a case's state agrees with it.
    let off = zwfw_store::testing::case_rows_off_their_state(&app.state.store).await.unwrap();
    assert!(off.is_empty(), "cases whose conclusion time or handling department disagrees with their state: {off:?}");
    // Every number taken from a serial numbers a stored document or case,
    // or is recorded as unused (on PostgreSQL, by a write that lost a race).
    let q = |sql: &'static str| async move {
        match zwfw_store::db::query(sql).fetch_one(app.state.store.pool()).await.unwrap().value("n") {
            Some(zwfw_store::db::Value::Int(n)) => *n,
            v => panic!("{sql}: {v:?}"),
        }
    };
    // Listing the trail seals what is pending (PostgreSQL).
    let f = zwfw_store::audit::AuditFilter { limit: 1, ..Default::default() };
    zwfw_store::audit::list(&app.state.store, &f).await.unwrap();
    let unused_cases =
        q("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'number_unused' AND detail LIKE '%\"kind\":\"case\"%'")
            .await;
    let unused_documents = q("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'number_unused'").await - unused_cases;
    let taken =
        q("SELECT CAST(COALESCE(SUM(next_no - 1), 0) AS BIGINT) AS n FROM case_serials WHERE prefix LIKE 'doc:%'")
            .await;
    let documents = q("SELECT COUNT(*) AS n FROM case_documents").await;
    assert_eq!(taken, documents + unused_documents, "document numbers taken: documents stored, numbers unused");
    let taken =
        q("SELECT CAST(COALESCE(SUM(next_no - 1), 0) AS BIGINT) AS n FROM case_serials WHERE prefix LIKE 'case:%'")
            .await;
    let numbered = q("SELECT COUNT(*) AS n FROM cases WHERE case_no IS NOT NULL").await;
    assert_eq!(taken, numbered + unused_cases, "case numbers taken: cases numbered, numbers unused");
    // A case row the program remembers having written is the stored row,
    // unless the case has moved on since (which its next write finds out).
    for r in zwfw_store::testing::remembered_cases(&app.state.store) {
        let stored = zwfw_store::cases::get_case(&app.state.store, r.id).await.unwrap();
        assert!(r == stored || r.p.seq != stored.p.seq, "remembered {r:?}\nstored {stored:?}");
    }
}
