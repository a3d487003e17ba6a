//! The in-memory backend: every table in ordered maps behind a lock, for tests and `memory://`.
//!
//! Reads take a snapshot (an `Arc` of the whole state) and never block writers for longer than a
//! pointer copy. Writes are serialized by a writer lock and are atomic: the new state is built on
//! a copy-on-write clone of the current one and swapped in only when the whole operation has
//! succeeded, so readers see either the state before a write or the state after it.

use crate::{IngestReport, Store, StoreError, StoreResult, TimeRange};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use edupulse_core::model::{visit_tables, Record, Table, TableVisitor, Tables};
use edupulse_core::results::{
    DeliveryAttempt, OutboxItem, OutboxStatus, ResultSet, RunOutput, RunRecord,
};
use edupulse_core::CoreError;
use std::any::Any;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

const BACKEND: &str = "memory";

/// Rows of one input table, keyed by [`Record::key`]; stored type-erased so one map holds all nine.
type Rows<R> = BTreeMap<String, R>;
type AnyRows = Arc<dyn Any + Send + Sync>;

/// Result sets: table → as_of → the run's set.
type Results = BTreeMap<&'static str, BTreeMap<DateTime<Utc>, ResultSet>>;

#[derive(Debug, Clone, Default)]
struct Outbox {
    /// Rows in insertion order (the key is an increasing sequence number).
    items: BTreeMap<u64, OutboxItem>,
    /// dedupe_key → sequence number.
    index: HashMap<String, u64>,
    /// Next sequence number.
    next_seq: u64,
    /// Successful deliveries: channel → times.
    deliveries: BTreeMap<String, Vec<DateTime<Utc>>>,
}

#[derive(Clone, Default)]
struct State {
    tables: BTreeMap<Table, AnyRows>,
    results: Arc<Results>,
    runs: Arc<BTreeMap<DateTime<Utc>, RunRecord>>,
    outbox: Arc<Outbox>,
}

impl State {
    fn rows<R: Record>(&self) -> StoreResult<Option<&Rows<R>>> {
        match self.tables.get(&R::TABLE) {
            None => Ok(None),
            Some(any) => {
                any.downcast_ref::<Rows<R>>()
                    .map(Some)
                    .ok_or_else(|| StoreError::Corrupt {
                        table: R::TABLE.name().to_string(),
                        message: "in-memory table holds rows of another type".to_string(),
                    })
            }
        }
    }
}

/// The in-memory store (`memory://`). Cheap to create; data lives as long as the value.
#[derive(Default)]
pub struct MemoryStore {
    /// The current snapshot.
    current: Mutex<Arc<State>>,
    /// Serializes writers (held for the whole build-then-swap of a write).
    writer: Mutex<()>,
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStore").finish_non_exhaustive()
    }
}

fn poisoned<T>(_: T) -> StoreError {
    StoreError::Backend {
        backend: BACKEND.to_string(),
        message: "internal lock poisoned by a panic in another task".to_string(),
    }
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    fn snapshot(&self) -> StoreResult<Arc<State>> {
        Ok(Arc::clone(&*self.current.lock().map_err(poisoned)?))
    }

    fn lock_writer(&self) -> StoreResult<MutexGuard<'_, ()>> {
        self.writer.lock().map_err(poisoned)
    }

    fn swap(&self, state: State) -> StoreResult<()> {
        *self.current.lock().map_err(poisoned)? = Arc::new(state);
        Ok(())
    }

    /// Build a new state from the current one with `f`, then swap it in (only if `f` succeeds).
    fn write<T>(&self, f: impl FnOnce(&mut State) -> StoreResult<T>) -> StoreResult<T> {
        let _guard = self.lock_writer()?;
        let mut state = (*self.snapshot()?).clone();
        let out = f(&mut state)?;
        self.swap(state)?;
        Ok(out)
    }
}

/// Upserts one table of a batch into a state.
struct Upsert<'a> {
    batch: &'a Tables,
    state: &'a mut State,
    report: IngestReport,
}

impl TableVisitor for Upsert<'_> {
    type Error = StoreError;
    fn visit<R: Record>(&mut self) -> StoreResult<()> {
        let incoming = R::rows(self.batch);
        let name = R::TABLE.name().to_string();
        self.report
            .received
            .insert(name.clone(), incoming.len() as u64);
        let mut written = 0u64;
        if !incoming.is_empty() {
            let mut rows: Rows<R> = self.state.rows::<R>()?.cloned().unwrap_or_default();
            for r in incoming {
                match rows.get(&r.key()) {
                    Some(old) if old == r => {}
                    _ => {
                        rows.insert(r.key(), r.clone());
                        written += 1;
                    }
                }
            }
            self.state.tables.insert(R::TABLE, Arc::new(rows));
        }
        self.report.written.insert(name, written);
        Ok(())
    }
}

/// Reads one table (chosen by `table`) out of a state.
struct Read<'a> {
    table: Table,
    range: TimeRange,
    state: &'a State,
    out: Tables,
}

impl TableVisitor for Read<'_> {
    type Error = StoreError;
    fn visit<R: Record>(&mut self) -> StoreResult<()> {
        if R::TABLE != self.table {
            return Ok(());
        }
        if let Some(rows) = self.state.rows::<R>()? {
            let out = R::rows_mut(&mut self.out);
            out.extend(
                rows.values()
                    .filter(|r| self.range.admits(r.time()))
                    .cloned(),
            );
        }
        Ok(())
    }
}

/// Counts rows of every input table.
struct Count<'a> {
    state: &'a State,
    out: BTreeMap<String, u64>,
}

impl TableVisitor for Count<'_> {
    type Error = StoreError;
    fn visit<R: Record>(&mut self) -> StoreResult<()> {
        let n = self.state.rows::<R>()?.map_or(0, |r| r.len() as u64);
        self.out.insert(R::TABLE.name().to_string(), n);
        Ok(())
    }
}

fn no_such_notification(key: &str) -> StoreError {
    StoreError::Validation(CoreError::validation(
        "notifications",
        None,
        Some("dedupe_key"),
        format!("no outbox row has dedupe key {key:?}"),
    ))
}

#[async_trait]
impl Store for MemoryStore {
    fn describe(&self) -> String {
        "memory://".to_string()
    }

    async fn schema_version(&self) -> StoreResult<u32> {
        Ok(1)
    }

    async fn ingest(&self, batch: &Tables) -> StoreResult<IngestReport> {
        self.write(|state| {
            let mut v = Upsert {
                batch,
                state,
                report: IngestReport::default(),
            };
            visit_tables(&mut v)?;
            Ok(v.report)
        })
    }

    async fn read(&self, table: Table, range: TimeRange) -> StoreResult<Tables> {
        let state = self.snapshot()?;
        let mut v = Read {
            table,
            range,
            state: &state,
            out: Tables::default(),
        };
        visit_tables(&mut v)?;
        Ok(v.out)
    }

    async fn counts(&self) -> StoreResult<BTreeMap<String, u64>> {
        let state = self.snapshot()?;
        let mut v = Count {
            state: &state,
            out: BTreeMap::new(),
        };
        visit_tables(&mut v)?;
        let mut out = v.out;
        for spec in edupulse_core::results::catalog() {
            let n: usize = state
                .results
                .get(spec.name)
                .map_or(0, |by| by.values().map(|s| s.rows.len()).sum());
            out.insert(spec.name.to_string(), n as u64);
        }
        out.insert("runs".to_string(), state.runs.len() as u64);
        out.insert("notifications".to_string(), state.outbox.items.len() as u64);
        Ok(out)
    }

    async fn write_run(&self, run: &RunOutput) -> StoreResult<()> {
        // Validate before touching anything (the SQL backends fail inside their transaction).
        crate::check_run(run)?;
        for (i, n) in run.notifications.iter().enumerate() {
            if n.dedupe_key.is_empty() {
                return Err(StoreError::Validation(CoreError::validation(
                    "notifications",
                    Some(i + 1),
                    Some("dedupe_key"),
                    "a notification needs a non-empty dedupe key",
                )));
            }
        }
        self.write(|state| {
            // Each set replaces what its table had for the run's `as_of`.
            if !run.results.is_empty() {
                let results = Arc::make_mut(&mut state.results);
                for set in &run.results {
                    let mut set = set.clone();
                    crate::sort_by_key(&mut set);
                    results
                        .entry(set.spec.name)
                        .or_default()
                        .insert(set.as_of, set);
                }
            }
            if !run.notifications.is_empty() {
                let outbox = Arc::make_mut(&mut state.outbox);
                for n in &run.notifications {
                    if outbox.index.contains_key(&n.dedupe_key) {
                        continue;
                    }
                    let seq = outbox.next_seq;
                    outbox.next_seq += 1;
                    outbox.index.insert(n.dedupe_key.clone(), seq);
                    outbox.items.insert(
                        seq,
                        OutboxItem {
                            notification: n.clone(),
                            status: OutboxStatus::Pending,
                            attempts: 0,
                            last_error: None,
                            next_attempt_at: None,
                            delivered_to: Vec::new(),
                            sent_at: None,
                        },
                    );
                }
            }
            Arc::make_mut(&mut state.runs).insert(
                run.as_of,
                RunRecord {
                    as_of: run.as_of,
                    written_at: Utc::now(),
                    summary: run.summary.clone(),
                },
            );
            Ok(())
        })
    }

    async fn results(&self, table: &str, as_of: Option<DateTime<Utc>>) -> StoreResult<ResultSet> {
        let spec = crate::result_spec(table)?;
        let state = self.snapshot()?;
        let found = state
            .results
            .get(spec.name)
            .and_then(|by_as_of| match as_of {
                Some(t) => by_as_of.get(&t),
                None => by_as_of.values().rev().find(|s| !s.rows.is_empty()),
            });
        Ok(found.cloned().unwrap_or_else(|| {
            ResultSet::empty(spec, as_of.unwrap_or(chrono::DateTime::UNIX_EPOCH))
        }))
    }

    async fn runs(&self) -> StoreResult<Vec<RunRecord>> {
        let state = self.snapshot()?;
        Ok(state.runs.values().cloned().collect())
    }

    async fn outbox(&self, pending_only: bool) -> StoreResult<Vec<OutboxItem>> {
        let state = self.snapshot()?;
        Ok(state
            .outbox
            .items
            .values()
            .filter(|i| !pending_only || i.status == OutboxStatus::Pending)
            .cloned()
            .collect())
    }

    async fn record_delivery(&self, attempt: &DeliveryAttempt) -> StoreResult<()> {
        self.write(|state| {
            let outbox = Arc::make_mut(&mut state.outbox);
            let seq = *outbox
                .index
                .get(&attempt.dedupe_key)
                .ok_or_else(|| no_such_notification(&attempt.dedupe_key))?;
            let item = outbox
                .items
                .get_mut(&seq)
                .ok_or_else(|| no_such_notification(&attempt.dedupe_key))?;
            match &attempt.error {
                None => {
                    if !item.delivered_to.contains(&attempt.channel) {
                        item.delivered_to.push(attempt.channel.clone());
                    }
                    if attempt.completes {
                        item.status = OutboxStatus::Sent;
                        item.sent_at = Some(attempt.at);
                        item.next_attempt_at = None;
                    }
                    outbox
                        .deliveries
                        .entry(attempt.channel.clone())
                        .or_default()
                        .push(attempt.at);
                }
                Some(err) => {
                    item.attempts = item.attempts.saturating_add(1);
                    item.last_error = Some(err.clone());
                    item.next_attempt_at = attempt.retry_at;
                    if attempt.retry_at.is_none() {
                        item.status = OutboxStatus::Failed;
                    }
                }
            }
            Ok(())
        })
    }

    async fn delivered_since(&self, channel: &str, since: DateTime<Utc>) -> StoreResult<u64> {
        let state = self.snapshot()?;
        Ok(state
            .outbox
            .deliveries
            .get(channel)
            .map_or(0, |ts| ts.iter().filter(|t| **t >= since).count() as u64))
    }
}
