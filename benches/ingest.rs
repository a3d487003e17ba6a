//! Ingest throughput: the simulated business of 100,000 students (override with
//! `EDUPULSE_BENCH_STUDENTS`) upserted into a fresh SQLite file, in one transaction.
//!
//! `cargo bench --bench ingest` — criterion reports rows/s as "thrpt".

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use edupulse::core::simulate::{simulate, SimConfig};

fn ingest(c: &mut Criterion) {
    let students = std::env::var("EDUPULSE_BENCH_STUDENTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let tables = simulate(&SimConfig {
        students,
        seed: 42,
        ..SimConfig::default()
    })
    .expect("simulate");
    let rows = tables.total_rows() as u64;
    eprintln!("{students} students → {rows} rows: {:?}", tables.counts());
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let mut g = c.benchmark_group("ingest");
    g.sample_size(10);
    g.throughput(Throughput::Elements(rows));
    g.bench_function(format!("sqlite_{students}_students"), |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().expect("tempdir");
                let url = format!("sqlite://{}", dir.path().join("bench.db").display());
                let store = rt.block_on(edupulse::open_store(&url)).expect("open");
                (dir, store)
            },
            |(dir, store)| {
                let report = rt.block_on(store.ingest(&tables)).expect("ingest");
                assert_eq!(report.total_received(), rows);
                drop(store);
                drop(dir);
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, ingest);
criterion_main!(benches);
