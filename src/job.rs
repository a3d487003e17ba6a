//! The daily job end to end on a store: load the input tables, run the pure job of
//! [`edupulse_core::job`], and write its results and notifications in one transaction.
//! Delivering the notifications is the dispatcher's work ([`edupulse_notify`]).

use crate::Error;
use chrono::{DateTime, Utc};
use edupulse_core::job::{Job, JobConfig};
use edupulse_core::results::RunOutput;
use edupulse_store::{IngestReport, Store, TimeRange};
use std::path::Path;

/// Read a folder of `<table>.csv` files (validated: errors name file, row and column) and upsert
/// it into `store` in one transaction. Ingesting the same folder twice changes nothing.
pub async fn ingest_dir(store: &dyn Store, dir: &Path) -> Result<IngestReport, Error> {
    let tables = edupulse_core::csvio::read_dir(dir)?;
    Ok(store.ingest(&tables).await?)
}

/// Run the daily job as of `as_of`: read every input table, run the steps, and write the run
/// (results, outbox notifications, run record) atomically. Re-running the same `as_of` replaces
/// its results and adds no notification already in the outbox.
///
/// `progress(i, n, step)` is called before each step.
pub async fn run_daily(
    store: &dyn Store,
    as_of: DateTime<Utc>,
    config: &JobConfig,
    progress: impl FnMut(usize, usize, &str),
) -> Result<RunOutput, Error> {
    let job = Job::new(config)?;
    let tables = store.read_all(TimeRange::ALL).await?;
    let run = job.run(&tables, as_of, progress)?;
    store.write_run(&run).await?;
    Ok(run)
}
