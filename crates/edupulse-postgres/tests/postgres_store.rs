//! The PostgreSQL backend against a real server: the conformance suite, bad URLs and logins,
//! SQL injection, a server restart between calls, concurrent migration.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use edupulse_postgres::testing::{test_url, unique_schema, with_schema, TestServer};
use edupulse_postgres::PostgresStore;
use edupulse_store::conformance::{self, sample_batch};
use edupulse_store::{Store, StoreError, TimeRange};
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_store_passes_the_conformance_suite() {
    let (url, _server) = test_url();
    conformance::run_all(|| {
        let url = with_schema(&url, &unique_schema("conf"));
        async move { Arc::new(PostgresStore::connect(&url).await.unwrap()) as Arc<dyn Store> }
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn postgres_store_passes_the_conformance_suite_on_a_current_thread_runtime() {
    let (url, _server) = test_url();
    conformance::run_all(|| {
        let url = with_schema(&url, &unique_schema("conf_ct"));
        async move { Arc::new(PostgresStore::connect(&url).await.unwrap()) as Arc<dyn Store> }
    })
    .await;
}

#[tokio::test]
async fn wrong_password_names_the_host_never_the_password() {
    let (url, _server) = test_url();
    let parsed = match edupulse_store::StoreUrl::parse(&url).unwrap() {
        edupulse_store::StoreUrl::Postgres(p) => p,
        _ => unreachable!(),
    };
    let bad = format!(
        "postgres://{}:Wr0ngSecret-xyz@{}:{}/{}",
        parsed.user.clone().unwrap_or_else(|| "postgres".into()),
        parsed.host,
        parsed.port,
        parsed.database
    );
    let err = PostgresStore::connect(&bad).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, StoreError::Backend { .. }), "{err:?}");
    assert!(text.contains(&parsed.host), "{text}");
    assert!(text.contains("password authentication failed"), "{text}");
    assert!(!text.contains("Wr0ngSecret"), "{text}");
    assert!(!format!("{err:?}").contains("Wr0ngSecret"));
}

#[tokio::test]
async fn unreachable_server_and_malformed_urls_are_clear_errors() {
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://app:Sekr1t@127.0.0.1:{port}/edu?connect_timeout=2");
    let err = PostgresStore::connect(&url).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, StoreError::Backend { .. }), "{err:?}");
    assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");
    assert!(text.contains("cannot connect"), "{text}");
    assert!(!text.contains("Sekr1t"), "{text}");

    for bad in [
        "postgres://app:Sekr1t@",
        "postgres://app:Sekr1t@host:notaport/db",
        "postgres://app:Sekr1t@host/db?sslmode=on",
        "postgres://app:Sekr1t@host/db?sslrootcert=ca.pem",
        "postgres://app:Sekr1t@host/db?bogus=1",
    ] {
        let err = PostgresStore::connect(bad).await.unwrap_err();
        assert!(matches!(err, StoreError::Url { .. }), "{bad}: {err:?}");
        assert!(!err.to_string().contains("Sekr1t"), "{err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injection_text_round_trips_and_tables_survive() {
    let (url, _server) = test_url();
    let store = PostgresStore::connect(&with_schema(&url, &unique_schema("inj")))
        .await
        .unwrap();
    let mut batch = sample_batch();
    for s in &mut batch.students {
        s.student_id = format!("{}{}", conformance::INJECTION, s.student_id);
        s.name = conformance::INJECTION.to_string();
    }
    store.ingest(&batch).await.unwrap();
    let back = store
        .read(edupulse_core::model::Table::Students, TimeRange::ALL)
        .await
        .unwrap();
    let mut want = batch.students.clone();
    want.sort_by_key(edupulse_core::model::Record::key);
    assert_eq!(back.students, want);
    let counts = store.counts().await.unwrap();
    assert_eq!(counts["students"] as usize, batch.students.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_opens_migrate_once() {
    // Several processes opening one new schema at once: each must create the schema and migrate
    // without tripping over the others (a plain `CREATE SCHEMA IF NOT EXISTS` races).
    let (url, _server) = test_url();
    let url = with_schema(&url, &unique_schema("mig"));
    let n = 24;
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(n));
    let mut tasks = Vec::new();
    for _ in 0..n {
        let url = url.clone();
        let start = start.clone();
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            let s = PostgresStore::connect(&url).await.unwrap();
            s.schema_version().await
        }));
    }
    for t in tasks {
        let v = t.await.unwrap().unwrap();
        assert_eq!(v, PostgresStore::supported_schema_version());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_server_is_picked_up_without_reopening() {
    // Needs a server of its own to restart.
    let mut server = TestServer::start().unwrap();
    let store = PostgresStore::connect(&server.url()).await.unwrap();
    let batch = sample_batch();
    store.ingest(&batch).await.unwrap();
    let before = store.counts().await.unwrap();
    server.stop().unwrap();
    let err = store.counts().await.unwrap_err();
    assert!(err.to_string().contains("127.0.0.1"), "{err}");
    server.start_again().unwrap();
    let after = store.counts().await.unwrap();
    assert_eq!(before, after);
    let again = store.ingest(&batch).await.unwrap();
    assert_eq!(again.total_written(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_claims_are_exclusive() {
    let (url, _server) = test_url();
    conformance::run_shared(|| {
        let url = with_schema(&url, &unique_schema("claim"));
        async move { Arc::new(PostgresStore::connect(&url).await.unwrap()) as Arc<dyn Store> }
    })
    .await;
}
