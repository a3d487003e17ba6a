//! The SQLite backend: the conformance suite, persistence across reopen, migrations.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use edupulse_core::results::{Notification, ResultSet, RunOutput, Severity};
use edupulse_sqlite::SqliteStore;
use edupulse_store::conformance::{self, sample_batch, ts};
use edupulse_store::{Store, StoreError, TimeRange};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_store_passes_the_conformance_suite() {
    let dir = tempfile::tempdir().unwrap();
    let n = AtomicUsize::new(0);
    conformance::run_all(|| {
        let path = dir
            .path()
            .join(format!("case{}.db", n.fetch_add(1, Ordering::SeqCst)));
        async move { Arc::new(SqliteStore::open(path).unwrap()) as Arc<dyn Store> }
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn sqlite_store_passes_the_conformance_suite_on_a_current_thread_runtime() {
    let dir = tempfile::tempdir().unwrap();
    let n = AtomicUsize::new(0);
    conformance::run_all(|| {
        let path = dir
            .path()
            .join(format!("case{}.db", n.fetch_add(1, Ordering::SeqCst)));
        async move { Arc::new(SqliteStore::open(path).unwrap()) as Arc<dyn Store> }
    })
    .await;
}

fn sample_run() -> RunOutput {
    let as_of = ts("2024-05-01T00:00:00Z");
    RunOutput {
        as_of,
        results: vec![ResultSet::of(
            as_of,
            &[
                conformance::churn_score("s1", 0.8),
                conformance::churn_score("s2", 0.1),
            ],
        )],
        notifications: vec![Notification {
            dedupe_key: "k".into(),
            kind: "kpi_alert".into(),
            severity: Severity::Critical,
            title: "t".into(),
            body: "b".into(),
            payload: json!(null),
            created_at: as_of,
        }],
        summary: json!({"ok": true}),
        failed: vec![],
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn reopening_a_file_gives_back_the_same_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/folder/edupulse.db");
    let batch = sample_batch();
    let run = sample_run();
    {
        let store = SqliteStore::open(&path).unwrap();
        store.ingest(&batch).await.unwrap();
        store.write_run(&run).await.unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.read_all(TimeRange::ALL).await.unwrap(), batch);
    assert_eq!(
        store.results("churn_scores", None).await.unwrap(),
        run.results[0]
    );
    let outbox = store.outbox(true).await.unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].notification, run.notifications[0]);
    assert_eq!(store.runs().await.unwrap().len(), 1);
    let report = store.ingest(&batch).await.unwrap();
    assert_eq!(
        report.total_written(),
        0,
        "re-ingest after reopen writes nothing"
    );
}

#[tokio::test]
async fn migrations_are_idempotent_on_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.db");
    let v1 = {
        let s = SqliteStore::open(&path).unwrap();
        s.schema_version().await.unwrap()
    };
    assert_eq!(v1, SqliteStore::supported_schema_version());
    assert!(v1 > 0);
    for _ in 0..3 {
        let s = SqliteStore::open(&path).unwrap();
        assert_eq!(s.schema_version().await.unwrap(), v1);
    }
    let conn = rusqlite::Connection::open(&path).unwrap();
    let applied: i64 = conn
        .query_row("SELECT COUNT(*) FROM schema_migrations", [], |r| r.get(0))
        .unwrap();
    assert_eq!(applied, i64::from(v1), "each migration recorded once");
    let user_version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(user_version, i64::from(v1));
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[tokio::test]
async fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    drop(SqliteStore::open(&path).unwrap());
    let future = SqliteStore::supported_schema_version() + 1;
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "INSERT INTO schema_migrations (version, description, applied_at) VALUES (?1, 'future', 'x')",
        [future],
    )
    .unwrap();
    let dump = |conn: &rusqlite::Connection| -> Vec<(String, String)> {
        let mut st = conn
            .prepare("SELECT name, COALESCE(sql, '') FROM sqlite_master ORDER BY name")
            .unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let before = dump(&conn);
    drop(conn);
    match SqliteStore::open(&path) {
        Err(StoreError::SchemaTooNew { found, supported }) => {
            assert_eq!(found, future);
            assert_eq!(supported, SqliteStore::supported_schema_version());
        }
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
    let conn = rusqlite::Connection::open(&path).unwrap();
    assert_eq!(dump(&conn), before, "a newer store is not touched");
}

#[tokio::test]
async fn errors_name_the_backend() {
    let dir = tempfile::tempdir().unwrap();
    // A directory is not a database file.
    let err = SqliteStore::open(dir.path()).unwrap_err();
    match &err {
        StoreError::Backend { backend, .. } => {
            assert!(backend.starts_with("sqlite:"), "{err}");
        }
        other => panic!("expected a backend error, got {other:?}"),
    }
}

#[test]
fn works_without_an_async_runtime_for_open() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("x.db")).unwrap();
    assert!(store.describe().starts_with("sqlite://"));
    assert_eq!(store.path(), dir.path().join("x.db"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_claims_are_exclusive() {
    let dir = tempfile::tempdir().unwrap();
    // A fresh file per case (each case expects an empty store).
    let n = std::sync::atomic::AtomicUsize::new(0);
    conformance::run_shared(|| {
        let i = n.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = dir.path().join(format!("claims{i}.db"));
        async move { Arc::new(SqliteStore::open(path).unwrap()) as Arc<dyn Store> }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_stores_on_one_file_never_claim_the_same_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.db");
    let a = Arc::new(SqliteStore::open(&path).unwrap());
    let b = Arc::new(SqliteStore::open(&path).unwrap());
    let at = ts("2024-05-01T00:00:00Z");
    let notes: Vec<Notification> = (0..50)
        .map(|i| Notification {
            dedupe_key: format!("k{i:02}"),
            kind: "test".into(),
            severity: Severity::High,
            title: "t".into(),
            body: "b".into(),
            payload: json!({}),
            created_at: at,
        })
        .collect();
    a.write_run(&RunOutput {
        as_of: at,
        results: vec![],
        notifications: notes,
        summary: json!({}),
        failed: vec![],
    })
    .await
    .unwrap();
    let lease = std::time::Duration::from_secs(60);
    let (ra, rb) = tokio::join!(
        a.claim_outbox("worker-a", at, lease),
        b.claim_outbox("worker-b", at, lease)
    );
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!(
        ra.len() + rb.len(),
        50,
        "every row claimed by exactly one store"
    );
    for item in &ra {
        assert!(rb
            .iter()
            .all(|o| o.notification.dedupe_key != item.notification.dedupe_key));
    }
    // Released rows can be claimed again by the other worker.
    a.release_claims("worker-a").await.unwrap();
    let again = b.claim_outbox("worker-b", at, lease).await.unwrap();
    assert_eq!(again.len(), 50);
}
