//! Backups: SQLite → file → PostgreSQL gives the same rows in every table, and a restored store
//! carries on (no notification is sent again).
#![cfg(all(feature = "sqlite", feature = "postgres"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use edupulse::core::job::JobConfig;
use edupulse::core::simulate::{simulate, SimConfig};
use edupulse::notify::{DispatchConfig, Dispatcher, FileNotifier, Notifier};
use edupulse::{backup, open_store, TimeRange};
use edupulse_postgres::testing::{test_url, unique_schema, with_schema};
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_to_file_to_postgres_keeps_every_table() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = SimConfig {
        students: 120,
        seed: 5,
        ..SimConfig::default()
    };
    let mut tables = simulate(&cfg).unwrap();
    // Text that breaks naive quoting survives too.
    tables.students[0].name = edupulse::store::conformance::INJECTION.to_string();
    let src = open_store(&format!("sqlite://{}", dir.path().join("a.db").display()))
        .await
        .unwrap();
    src.ingest(&tables).await.unwrap();
    let as_of =
        edupulse::core::model::date_to_datetime(cfg.end_date()) - chrono::Duration::seconds(1);
    edupulse::run_daily(src.as_ref(), as_of, &JobConfig::default(), |_, _, _| {})
        .await
        .unwrap();
    let file: Arc<dyn Notifier> = Arc::new(FileNotifier::new(dir.path().join("n.jsonl")));
    Dispatcher::new(src.clone(), vec![file], DispatchConfig::default())
        .unwrap()
        .dispatch(chrono::Utc::now())
        .await
        .unwrap();

    let out = dir.path().join("backup.jsonl");
    let written = backup::backup(src.as_ref(), &out).await.unwrap();
    assert!(
        written["churn_scores"] > 0 && written["students"] == 120,
        "{written:?}"
    );

    let (url, _server) = test_url();
    let dst = open_store(&with_schema(&url, &unique_schema("restore")))
        .await
        .unwrap();
    let read = backup::restore(dst.as_ref(), &out).await.unwrap();
    assert_eq!(read, written);

    // Every table equal: inputs, results, runs, outbox, deliveries, and the counts.
    assert_eq!(
        src.read_all(TimeRange::ALL).await.unwrap(),
        dst.read_all(TimeRange::ALL).await.unwrap()
    );
    assert_eq!(
        src.export_fixed().await.unwrap(),
        dst.export_fixed().await.unwrap()
    );
    assert_eq!(src.counts().await.unwrap(), dst.counts().await.unwrap());
    assert_eq!(
        src.outbox(false).await.unwrap(),
        dst.outbox(false).await.unwrap()
    );

    // Restoring twice changes nothing; the restored store delivers nothing again.
    backup::restore(dst.as_ref(), &out).await.unwrap();
    assert_eq!(src.counts().await.unwrap(), dst.counts().await.unwrap());
    let file2: Arc<dyn Notifier> = Arc::new(FileNotifier::new(dir.path().join("n2.jsonl")));
    let r = Dispatcher::new(dst.clone(), vec![file2], DispatchConfig::default())
        .unwrap()
        .dispatch(chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(r.delivered, 0);

    // And back: PostgreSQL → file → a new SQLite file.
    let out2 = dir.path().join("backup2.jsonl");
    backup::backup(dst.as_ref(), &out2).await.unwrap();
    let back = open_store(&format!("sqlite://{}", dir.path().join("b.db").display()))
        .await
        .unwrap();
    backup::restore(back.as_ref(), &out2).await.unwrap();
    assert_eq!(
        src.export_fixed().await.unwrap(),
        back.export_fixed().await.unwrap()
    );
    assert_eq!(
        src.read_all(TimeRange::ALL).await.unwrap(),
        back.read_all(TimeRange::ALL).await.unwrap()
    );
}

#[tokio::test]
async fn a_file_that_is_not_a_backup_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.jsonl");
    std::fs::write(&p, "{\"hello\": 1}\n").unwrap();
    let store = open_store("memory://").await.unwrap();
    let err = backup::restore(store.as_ref(), &p).await.unwrap_err();
    assert!(matches!(err, edupulse::Error::Core(_)), "{err:?}");
    assert!(err.to_string().contains("not an edupulse backup"), "{err}");
}
