//! Ingest throughput on synthetic rows. Ignored by default (slow in debug builds); run with
//!
//! ```text
//! cargo test --release -p edupulse-sqlite --test ingest_speed -- --ignored --nocapture
//! ```
//!
//! `EDUPULSE_INGEST_ROWS` sets the number of rows (default 2,000,000).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{Duration, TimeZone, Utc};
use edupulse_core::model::{Activity, ActivityKind, Review, Tables};
use edupulse_sqlite::SqliteStore;
use edupulse_store::Store;
use std::time::Instant;

fn synthetic(rows: usize) -> Tables {
    let t0 = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let mut t = Tables::default();
    let n_activity = rows * 3 / 4;
    let kinds = ActivityKind::ALL;
    for i in 0..n_activity {
        t.activity.push(Activity {
            student_id: format!("s{:06}", i % 50_000),
            at: t0 + Duration::milliseconds((i as i64) * 1_337),
            kind: kinds[i % kinds.len()],
            value: (i % 3 == 0).then_some(i as f64 / 8.0),
            ref_id: None,
        });
    }
    for i in 0..rows - n_activity {
        t.reviews.push(Review {
            student_id: format!("s{:06}", i % 50_000),
            card_id: format!("c{:04}", i % 997),
            at: t0 + Duration::milliseconds((i as i64) * 2_113),
            rating: (i % 4 + 1) as u8,
            duration_ms: (i % 5 != 0).then_some((i % 20_000) as u32),
        });
    }
    t.validate().unwrap();
    t
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "throughput measurement; run in release mode"]
async fn ingest_throughput() {
    let rows: usize = std::env::var("EDUPULSE_INGEST_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000_000);
    let batch = synthetic(rows);
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("speed.db")).unwrap();

    let start = Instant::now();
    let report = store.ingest(&batch).await.unwrap();
    let first = start.elapsed();
    assert_eq!(report.total_written() as usize, rows);

    let start = Instant::now();
    let report = store.ingest(&batch).await.unwrap();
    let second = start.elapsed();
    assert_eq!(report.total_written(), 0);

    let start = Instant::now();
    let back = store
        .read_all(edupulse_store::TimeRange::ALL)
        .await
        .unwrap();
    let read = start.elapsed();
    assert_eq!(back.total_rows(), rows);

    let rate = |d: std::time::Duration| rows as f64 / d.as_secs_f64();
    eprintln!(
        "ingest {rows} rows: first {:.2?} ({:.0} rows/s), unchanged re-ingest {:.2?} ({:.0} rows/s), read_all {:.2?} ({:.0} rows/s)",
        first,
        rate(first),
        second,
        rate(second),
        read,
        rate(read)
    );
}
