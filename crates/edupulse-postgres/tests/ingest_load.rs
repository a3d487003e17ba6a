//! Load: the simulated business (default 100,000 students) ingested into PostgreSQL and, in the
//! same run, into SQLite; prints rows/s of both. Ignored by default (slow in debug builds):
//!
//! ```text
//! scripts/with-postgres.sh cargo test --release -p edupulse-postgres --test ingest_load -- --ignored --nocapture
//! ```
//!
//! `EDUPULSE_LOAD_STUDENTS` sets the number of students.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use edupulse_core::simulate::{simulate, SimConfig};
use edupulse_postgres::testing::{test_url, unique_schema, with_schema};
use edupulse_postgres::PostgresStore;
use edupulse_sqlite::SqliteStore;
use edupulse_store::Store;
use std::time::Instant;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "load measurement; run in release mode"]
async fn ingest_load_postgres_and_sqlite() {
    let students: usize = std::env::var("EDUPULSE_LOAD_STUDENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let tables = simulate(&SimConfig {
        students,
        seed: 42,
        ..SimConfig::default()
    })
    .unwrap();
    let rows = tables.total_rows() as f64;
    let (url, _server) = test_url();

    let pg = PostgresStore::connect(&with_schema(&url, &unique_schema("load")))
        .await
        .unwrap();
    let t = Instant::now();
    let r = pg.ingest(&tables).await.unwrap();
    let pg_first = t.elapsed().as_secs_f64();
    assert_eq!(r.total_written() as f64, rows);
    let t = Instant::now();
    let r = pg.ingest(&tables).await.unwrap();
    let pg_again = t.elapsed().as_secs_f64();
    assert_eq!(r.total_written(), 0);

    let dir = tempfile::tempdir().unwrap();
    let lite = SqliteStore::open(dir.path().join("load.db")).unwrap();
    let t = Instant::now();
    lite.ingest(&tables).await.unwrap();
    let lite_first = t.elapsed().as_secs_f64();
    let t = Instant::now();
    lite.ingest(&tables).await.unwrap();
    let lite_again = t.elapsed().as_secs_f64();
    assert_eq!(pg.counts().await.unwrap(), lite.counts().await.unwrap());

    println!("students {students}, rows {rows}");
    println!(
        "postgres: first ingest {pg_first:.2} s ({:.0} rows/s), again {pg_again:.2} s ({:.0} rows/s)",
        rows / pg_first,
        rows / pg_again
    );
    println!(
        "sqlite:   first ingest {lite_first:.2} s ({:.0} rows/s), again {lite_again:.2} s ({:.0} rows/s)",
        rows / lite_first,
        rows / lite_again
    );
}
