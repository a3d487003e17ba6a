//! The fixed tables of a backup (typed result sets, legacy rows, runs, outbox) move SQLite →
//! JSON lines → PostgreSQL → SQLite unchanged (what the facade's `backup`/`restore` do with them).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use edupulse_core::results::{catalog, RunOutput};
use edupulse_postgres::testing::{test_url, unique_schema, with_schema};
use edupulse_postgres::PostgresStore;
use edupulse_sqlite::SqliteStore;
use edupulse_store::backup::FixedTables;
use edupulse_store::conformance::{synthetic_set, ts};
use edupulse_store::Store;
use serde_json::json;

/// Through JSON, one value per line, as in a backup file.
fn through_json(t: &FixedTables) -> FixedTables {
    let mut out = FixedTables::default();
    for s in &t.results {
        let line = serde_json::to_string(s).unwrap();
        out.results.push(serde_json::from_str(&line).unwrap());
    }
    for r in &t.legacy_results {
        let line = serde_json::to_string(r).unwrap();
        out.legacy_results
            .push(serde_json::from_str(&line).unwrap());
    }
    out.runs = t.runs.clone();
    out.notifications = t.notifications.clone();
    out.deliveries = t.deliveries.clone();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixed_tables_round_trip_between_backends() {
    let dir = tempfile::tempdir().unwrap();
    let src = SqliteStore::open(dir.path().join("a.db")).unwrap();
    for as_of in [ts("2024-05-01T06:00:00.5Z"), ts("2024-05-02T06:00:00Z")] {
        src.write_run(&RunOutput {
            as_of,
            results: catalog()
                .iter()
                .map(|s| synthetic_set(s, as_of, 3))
                .collect(),
            notifications: vec![],
            summary: json!({"ok": true}),
            failed: vec![],
        })
        .await
        .unwrap();
    }
    let mut fixed = src.export_fixed().await.unwrap();
    assert_eq!(fixed.results.len(), 2 * catalog().len());
    // A legacy row travels too.
    fixed.legacy_results = edupulse_store::conformance::legacy_fixture()
        .into_iter()
        .filter(|r| r.table == "custom_scores")
        .collect();
    src.import_fixed(&fixed).await.unwrap();
    let fixed = src.export_fixed().await.unwrap();
    assert_eq!(fixed.legacy_results.len(), 1);

    let (url, _server) = test_url();
    let dst = PostgresStore::connect(&with_schema(&url, &unique_schema("bk")))
        .await
        .unwrap();
    dst.import_fixed(&through_json(&fixed)).await.unwrap();
    assert_eq!(dst.export_fixed().await.unwrap(), fixed);
    assert_eq!(dst.counts().await.unwrap(), src.counts().await.unwrap());
    // Importing twice changes nothing.
    dst.import_fixed(&through_json(&fixed)).await.unwrap();
    assert_eq!(dst.export_fixed().await.unwrap(), fixed);

    let back = SqliteStore::open(dir.path().join("b.db")).unwrap();
    back.import_fixed(&through_json(&dst.export_fixed().await.unwrap()))
        .await
        .unwrap();
    assert_eq!(back.export_fixed().await.unwrap(), fixed);
}
