//! # edupulse-store
//!
//! Where edupulse keeps its data: the async [`Store`] trait (object-safe, used as
//! `Arc<dyn Store>`), the in-memory backend, the URL parser that picks a backend, and the
//! conformance suite every backend runs.
//!
//! Contract of every backend:
//! - **upserts, never blind inserts**: ingesting a batch replaces rows with the same natural key
//!   ([`edupulse_core::Record::KEY`]), so ingesting the same folder twice changes nothing;
//! - **one transaction per call**: [`Store::ingest`] and [`Store::write_run`] write all or nothing;
//! - **the outbox is written with the results**: a run's notifications are inserted in the same
//!   transaction as its result rows, and a notification whose `dedupe_key` is already in the outbox
//!   is ignored (re-runs never alert twice);
//! - versioned migrations, applied on open.
#![warn(missing_docs)]

pub mod backup;
mod error;
pub mod memory;
pub mod sql;
pub mod url;

pub use error::{StoreError, StoreResult};
pub use url::StoreUrl;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use edupulse_core::model::{Table, Tables};
use edupulse_core::results::{
    DeliveryAttempt, OutboxItem, ResultSet, ResultSpec, ResultTable, RunOutput, RunRecord,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A half-open time range `[start, end)`; `None` is unbounded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeRange {
    /// Inclusive start.
    pub start: Option<DateTime<Utc>>,
    /// Exclusive end.
    pub end: Option<DateTime<Utc>>,
}

impl TimeRange {
    /// Every time.
    pub const ALL: TimeRange = TimeRange {
        start: None,
        end: None,
    };

    /// Whether `t` is in the range.
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.start.is_none_or(|s| t >= s) && self.end.is_none_or(|e| t < e)
    }

    /// Whether a row filed under `t` ([`Record::time`](edupulse_core::model::Record::time)) is
    /// read for this range: a timeless row (`None`, a reference table) is in every range.
    pub fn admits(&self, t: Option<DateTime<Utc>>) -> bool {
        t.is_none_or(|t| self.contains(t))
    }
}

/// Who claims outbox rows (see [`Store::claim_outbox_as`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claimant {
    /// The dispatcher's unique worker id.
    pub worker: String,
    /// The host name of its process, when known.
    pub host: Option<String>,
    /// Its process id on that host, when known.
    pub pid: Option<u32>,
}

impl Claimant {
    /// A claimant known by its worker id alone (no host, no pid).
    pub fn new(worker: impl Into<String>) -> Claimant {
        Claimant {
            worker: worker.into(),
            host: None,
            pid: None,
        }
    }
}

/// A live claim on the outbox (see [`Store::claim_holders`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimHolder {
    /// The holder's worker id.
    pub worker: String,
    /// The host name it recorded, if any.
    pub host: Option<String>,
    /// The process id it recorded, if any.
    pub pid: Option<u32>,
    /// When its claim expires (the latest over its rows).
    pub claimed_until: DateTime<Utc>,
    /// Its latest heartbeat (claims written before heartbeats existed have none).
    pub heartbeat_at: Option<DateTime<Utc>>,
}

/// What an ingest did, per table. Both maps list every input table, zeros included.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IngestReport {
    /// Rows received, per table name.
    pub received: BTreeMap<String, u64>,
    /// Rows that were new or changed (inserted or updated), per table name.
    pub written: BTreeMap<String, u64>,
}

impl IngestReport {
    /// Total rows received.
    pub fn total_received(&self) -> u64 {
        self.received.values().sum()
    }
    /// Total rows new or changed.
    pub fn total_written(&self) -> u64 {
        self.written.values().sum()
    }
}

/// The storage interface of edupulse. Object-safe: use it as `Arc<dyn Store>`.
#[async_trait]
pub trait Store: Send + Sync + std::fmt::Debug {
    /// The store's URL with any password removed (safe to print).
    fn describe(&self) -> String;

    /// The schema version after migrations.
    async fn schema_version(&self) -> StoreResult<u32>;

    /// Upsert a batch (already validated) in one transaction: all of it or nothing.
    async fn ingest(&self, batch: &Tables) -> StoreResult<IngestReport>;

    /// Rows of one table filed under an instant in `range` (see `Record::TIME_COLUMN`), sorted by
    /// natural key; the other tables of the returned batch are empty.
    async fn read(&self, table: Table, range: TimeRange) -> StoreResult<Tables>;

    /// Every input table, restricted to `range`.
    async fn read_all(&self, range: TimeRange) -> StoreResult<Tables> {
        let mut out = Tables::default();
        for t in Table::ALL {
            out.extend(self.read(t, range).await?);
        }
        Ok(out)
    }

    /// Row counts of every table the store holds: the input tables, every result table of the
    /// [catalog](edupulse_core::results::catalog) (all runs), `runs` and `notifications` (the
    /// outbox).
    async fn counts(&self) -> StoreResult<BTreeMap<String, u64>>;

    /// Write a run atomically: its result sets (each replacing the rows its table had for the
    /// same `as_of`; tables without a set are left alone), its notifications into the outbox
    /// (ignoring keys already there), and its run record. If any part fails, nothing of it is
    /// written. A set that breaks its table's spec ([`check_run`]) is a
    /// [`StoreError::Validation`].
    async fn write_run(&self, run: &RunOutput) -> StoreResult<()>;

    /// Rows of a result table, for one `as_of` or (with `None`) the latest `as_of` that has rows,
    /// sorted by the table's key (an empty set when there are none). An unknown table is a
    /// [`StoreError::Validation`] error on `table` listing the known ones.
    async fn results(&self, table: &str, as_of: Option<DateTime<Utc>>) -> StoreResult<ResultSet>;

    /// Every run record (one per `as_of`; a re-run replaces it), oldest `as_of` first.
    async fn runs(&self) -> StoreResult<Vec<RunRecord>>;

    /// Outbox rows, oldest (first inserted) first: all of them, or only those still `Pending`.
    async fn outbox(&self, pending_only: bool) -> StoreResult<Vec<OutboxItem>>;

    /// Record a delivery attempt: on success the channel is added to `delivered_to` (and the row
    /// becomes `Sent` if `completes`); on failure `attempts` grows, `last_error` is kept and the row
    /// waits until `retry_at` (or becomes `Failed` when there is none). A `dedupe_key` that is not
    /// in the outbox is an error ([`StoreError::Validation`]) and changes nothing.
    async fn record_delivery(&self, attempt: &DeliveryAttempt) -> StoreResult<()>;

    /// Successful deliveries to `channel` at or after `since` (for rate limits across runs).
    async fn delivered_since(&self, channel: &str, since: DateTime<Utc>) -> StoreResult<u64>;

    /// Claim the pending outbox rows for `worker` (a dispatcher's unique id) until
    /// `now + lease`, and return them like [`Store::outbox`]`(true)`.
    ///
    /// The claim is **exclusive per store**: while another worker holds an unexpired claim on
    /// any pending row, this returns nothing (not even rows written after that claim), so at most
    /// one dispatcher delivers at a time. Two dispatchers sharing a store therefore never deliver
    /// one row twice, and a channel's rate limit, counted from [`Store::delivered_since`], holds
    /// across processes. A dispatcher that gets nothing while [`Store::outbox`]`(true)` is not
    /// empty waits for the other to [release](Store::release_claims). If a worker dies, its
    /// claims expire after `lease` and another worker takes the rows over; sooner when another
    /// judges it dead from [`Store::claim_holders`] (its process gone, its heartbeat stale) and
    /// releases its claims.
    ///
    /// The default implementation (single-process stores: memory) claims nothing and returns
    /// the pending rows; the backends that several processes can share (SQLite files,
    /// PostgreSQL) override it.
    async fn claim_outbox(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: std::time::Duration,
    ) -> StoreResult<Vec<OutboxItem>> {
        let _ = (worker, now, lease);
        self.outbox(true).await
    }

    /// [`Store::claim_outbox`] recording who claims: `claimant.worker` as the worker id, plus its
    /// host name and process id (so a dispatcher on the same host can tell that the holder's
    /// process is gone), and `now` as its first [heartbeat](Store::heartbeat).
    ///
    /// The default (stores that keep no claims) is [`Store::claim_outbox`] with the worker id.
    async fn claim_outbox_as(
        &self,
        claimant: &Claimant,
        now: DateTime<Utc>,
        lease: std::time::Duration,
    ) -> StoreResult<Vec<OutboxItem>> {
        self.claim_outbox(&claimant.worker, now, lease).await
    }

    /// `worker` is alive at `now`: record the heartbeat on its claims and extend them to
    /// `now + lease`. Returns whether `worker` still holds a claim on some pending row (`false`:
    /// another dispatcher took its rows over, and it should stop delivering).
    ///
    /// The default (stores that keep no claims) records nothing and returns `true`.
    async fn heartbeat(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: std::time::Duration,
    ) -> StoreResult<bool> {
        let _ = (worker, now, lease);
        Ok(true)
    }

    /// The unexpired claims on pending outbox rows at `now`, one per worker (sorted by worker
    /// id): who holds them, until when, and its latest heartbeat. A dispatcher that finds the
    /// outbox held uses this to tell a live holder (wait) from a dead one (take its rows over
    /// with [`Store::release_claims`] and claim them).
    ///
    /// The default (stores that keep no claims) returns nothing.
    async fn claim_holders(&self, now: DateTime<Utc>) -> StoreResult<Vec<ClaimHolder>> {
        let _ = now;
        Ok(Vec::new())
    }

    /// Every row of the fixed tables (results, runs, outbox, deliveries) in their stored form,
    /// for [backups](crate::backup). Default: unsupported ([`StoreError::Backend`]).
    async fn export_fixed(&self) -> StoreResult<backup::FixedTables> {
        Err(StoreError::Backend {
            backend: self.describe(),
            message: "this backend cannot export backups".to_string(),
        })
    }

    /// Write the fixed tables of a backup into this store in one transaction (all or nothing),
    /// replacing rows with the same keys. Default: unsupported ([`StoreError::Backend`]).
    async fn import_fixed(&self, tables: &backup::FixedTables) -> StoreResult<()> {
        let _ = tables;
        Err(StoreError::Backend {
            backend: self.describe(),
            message: "this backend cannot restore backups".to_string(),
        })
    }

    /// Give up `worker`'s claims (rows it did not finish become claimable at once). Default: no-op.
    async fn release_claims(&self, worker: &str) -> StoreResult<()> {
        let _ = worker;
        Ok(())
    }
}

/// Typed rows of result table `T` for one `as_of` or (with `None`) the latest run that has rows.
///
pub async fn typed_results<T: ResultTable>(
    store: &dyn Store,
    as_of: Option<DateTime<Utc>>,
) -> StoreResult<Vec<T>> {
    Ok(store.results(T::SPEC.name, as_of).await?.decode::<T>()?)
}

/// The spec of result table `name`, or the named error listing the known ones.
pub fn result_spec(name: &str) -> StoreResult<&'static ResultSpec> {
    edupulse_core::results::spec(name)
        .ok_or_else(|| StoreError::Validation(edupulse_core::results::unknown_table(name)))
}

/// Check a run before writing it: every set has the run's `as_of`, is a table of the catalog,
/// fits its spec ([`ResultSet::check`]), and appears once.
pub fn check_run(run: &RunOutput) -> StoreResult<()> {
    let mut seen = std::collections::HashSet::new();
    for set in &run.results {
        result_spec(set.spec.name)?;
        if set.as_of != run.as_of {
            return Err(StoreError::Validation(
                edupulse_core::CoreError::validation(
                    set.spec.name,
                    None,
                    Some("as_of"),
                    "a result set's as_of differs from its run's",
                ),
            ));
        }
        if !seen.insert(set.spec.name) {
            return Err(StoreError::Validation(
                edupulse_core::CoreError::validation(
                    set.spec.name,
                    None,
                    None,
                    "two result sets for one table in one run",
                ),
            ));
        }
        set.check()?;
    }
    Ok(())
}

/// Sort a set's rows by its key columns (text forms), the order every backend returns.
pub fn sort_by_key(set: &mut ResultSet) {
    let mut keyed: Vec<(String, Vec<edupulse_core::model::Value>)> = (0..set.rows.len())
        .map(|i| (set.key_of(i), Vec::new()))
        .collect();
    for (k, row) in keyed.iter_mut().zip(std::mem::take(&mut set.rows)) {
        k.1 = row;
    }
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    set.rows = keyed.into_iter().map(|(_, r)| r).collect();
}

/// Open a store from a URL: `memory://` here; other schemes through the facade crate
/// (`edupulse::open_store`), which knows the backends compiled in.
pub async fn open_memory() -> std::sync::Arc<dyn Store> {
    std::sync::Arc::new(memory::MemoryStore::new())
}

pub mod conformance;
