//! # edupulse
//!
//! Turn the raw data of an online-course and webinar business into decisions: which keywords are
//! taking off, how many people a webinar will draw, who is slipping away, when each learner should
//! review each concept, and which leads are hot.
//!
//! This facade re-exports the workspace crates and opens stores from URLs:
//!
//! - [`core`] — the domain model and the analytics (pure, synchronous);
//! - [`store`] — the async [`Store`] trait and the in-memory backend;
//! - [`notify`] — the outbox dispatcher and notifiers;
//! - [`report`] — the HTML/JSON report of a run, in Spanish or English (`edupulse-report`);
//! - [`open_store`] — `memory://`, `sqlite://PATH` (feature `sqlite`, on by default),
//!   `postgres://user:password@host:port/db` (feature `postgres`, on by default).
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use edupulse::core::simulate::{simulate, SimConfig};
//! let store = edupulse::open_store("memory://").await?;
//! let tables = simulate(&SimConfig { students: 20, seed: 1, ..SimConfig::default() })?;
//! let report = store.ingest(&tables).await?;
//! assert_eq!(report.total_received() as usize, tables.total_rows());
//! # Ok::<(), edupulse::Error>(())
//! # }).unwrap();
//! ```
#![warn(missing_docs)]

pub use edupulse_core as core;
/// The learning engine: encoding, logistic regression, forests, GBDT, the boosted classifier,
/// numeric kernels and the thread budget.
pub use edupulse_learn as learn;
pub use edupulse_notify as notify;
pub use edupulse_report as report;
pub use edupulse_store as store;
pub use edupulse_store::{Store, StoreError, StoreUrl, TimeRange};

use std::sync::Arc;

/// Any error edupulse can raise.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Bad input data or parameters (names table, row and column where it can).
    #[error(transparent)]
    Core(#[from] edupulse_core::CoreError),
    /// A store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Delivering notifications failed.
    #[error(transparent)]
    Notify(#[from] edupulse_notify::NotifyError),
    /// Building or writing the report failed (no such run, a file that cannot be written).
    #[error(transparent)]
    Report(#[from] edupulse_report::Error),
}

/// Open a store from a URL: `memory://`, `sqlite://PATH` (the file is created and migrated if
/// needed) or `postgres://user:password@host:port/db[?schema=NAME]` (connected and migrated).
/// A scheme whose backend is not compiled in gives [`StoreError::Url`].
pub async fn open_store(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    match StoreUrl::parse(url)? {
        StoreUrl::Memory => Ok(Arc::new(edupulse_store::memory::MemoryStore::new())),
        #[cfg(feature = "sqlite")]
        StoreUrl::Sqlite(path) => Ok(Arc::new(edupulse_sqlite::SqliteStore::open(&path)?)),
        #[cfg(feature = "postgres")]
        StoreUrl::Postgres(pg) => Ok(Arc::new(
            edupulse_postgres::PostgresStore::connect_parsed(&pg).await?,
        )),
        other => Err(StoreError::Url {
            url: other.to_string(),
            message: "this build of edupulse has no backend for this scheme".to_string(),
        }),
    }
}

pub mod backup;
pub mod certs;
pub mod job;

pub use job::{ingest_dir, ingest_dir_with, run_daily, run_daily_with, run_job, RunOptions};

/// The README's Rust examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
