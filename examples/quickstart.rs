//! Simulate a business, ingest it into a SQLite file, run the daily job, deliver notifications to
//! a file and write the report.
//!
//! `cargo run --example quickstart -- [DIR]`

use edupulse::core::job::JobConfig;
use edupulse::core::simulate::{simulate, SimConfig};
use edupulse::notify::{DispatchConfig, Dispatcher, FileNotifier};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "quickstart-out".into()),
    );
    std::fs::create_dir_all(&dir)?;
    let store =
        edupulse::open_store(&format!("sqlite://{}", dir.join("edupulse.db").display())).await?;

    let sim = SimConfig {
        students: 500,
        seed: 1,
        ..SimConfig::default()
    };
    let tables = simulate(&sim)?;
    let ingest = store.ingest(&tables).await?;
    println!(
        "ingested {} rows ({} new or changed)",
        ingest.total_received(),
        ingest.total_written()
    );

    let as_of = edupulse::core::model::date_to_datetime(sim.end_date());
    let run = edupulse::run_daily(
        store.as_ref(),
        as_of,
        &JobConfig::default(),
        |i, n, step| println!("step {}/{n}: {step}", i + 1),
    )
    .await?;
    println!("run: {}", run.summary);

    let dispatcher = Dispatcher::new(
        store.clone(),
        vec![Arc::new(FileNotifier::new(dir.join("notifications.jsonl")))],
        DispatchConfig::default(),
    )?;
    println!(
        "delivery: {:?}",
        dispatcher.dispatch(chrono::Utc::now()).await?
    );

    let report = edupulse::report::Report::build(store.as_ref(), Some(as_of)).await?;
    let written = report.write(&dir, edupulse::report::Lang::Es)?;
    println!(
        "report: {} and {}",
        written.html.display(),
        written.json.display()
    );
    Ok(())
}
