//! # edupulse-sqlite
//!
//! The embedded edupulse store: one SQLite file (bundled SQLite, no system library) in WAL mode.
//!
//! - one writer connection behind a mutex, and a small pool of reader connections, so reads run
//!   concurrently with a write and see the state before or after it (WAL snapshots);
//! - blocking SQLite work runs off the async executor (`spawn_blocking`, or `block_in_place` on a
//!   multi-threaded runtime when the input is borrowed);
//! - versioned migrations (`schema_migrations`), applied on [`SqliteStore::open`]; a database
//!   written by a newer edupulse is refused with [`StoreError::SchemaTooNew`];
//! - input tables are generated from the record types' column lists (`Record::columns()`), keyed
//!   on `Record::KEY`, with an indexed epoch-microsecond shadow column of `Record::time()` for
//!   range queries;
//! - upserts count only new or changed rows, in one transaction per call;
//! - the outbox (`notifications`) is written in the same transaction as a run's results, and its
//!   `CHECK (length(dedupe_key) > 0)` makes a bad notification roll the whole run back.
//!
//! ```no_run
//! # async fn demo() -> Result<(), edupulse_store::StoreError> {
//! use edupulse_sqlite::SqliteStore;
//! use edupulse_store::Store;
//! let store = SqliteStore::open("edupulse.db")?;
//! println!("schema v{}", store.schema_version().await?);
//! # Ok(()) }
//! ```
#![warn(missing_docs)]

mod results;
mod schema;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use edupulse_core::model::{
    parse_datetime, visit_tables, Record, Table, TableVisitor, Tables, Value,
};
use edupulse_core::results::{
    DeliveryAttempt, Notification, OutboxItem, OutboxStatus, ResultSet, RunOutput, RunRecord,
    Severity,
};
use edupulse_core::CoreError;
use edupulse_store::backup::{DeliveryRow, FixedTables, NotificationRow, RunRow};
use edupulse_store::{
    ClaimHolder, Claimant, IngestReport, Store, StoreError, StoreResult, TimeRange,
};
use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// How long a connection waits for a lock held by another connection or process.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// Idle reader connections kept open.
const MAX_IDLE_READERS: usize = 4;

/// A store in one SQLite file. Cheap to share (`Arc<dyn Store>`); all methods take `&self`.
pub struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    /// `sqlite:<path>`, used in error messages.
    backend: String,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    version: u32,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.inner.path)
            .field("schema_version", &self.inner.version)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Open (creating the file and its parent folder if needed) and migrate the database at
    /// `path`.
    ///
    /// Errors: [`StoreError::SchemaTooNew`] for a database written by a newer edupulse,
    /// [`StoreError::Backend`] when the file cannot be opened or migrated.
    pub fn open(path: impl AsRef<Path>) -> StoreResult<SqliteStore> {
        let path = path.as_ref().to_path_buf();
        let backend = format!("sqlite:{}", path.display());
        let be = |e: rusqlite::Error| backend_error(&backend, e);
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| StoreError::Backend {
                backend: backend.clone(),
                message: format!("cannot create folder {}: {e}", parent.display()),
            })?;
        }
        let mut writer = open_connection(&path, &backend)?;
        writer
            .pragma_update(None, "cache_size", -65_536)
            .map_err(be)?;
        writer
            .pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)
            .map_err(be)?;
        let version = migrate(&mut writer, &backend)?;
        Ok(SqliteStore {
            inner: Arc::new(Inner {
                path,
                backend,
                writer: Mutex::new(writer),
                readers: Mutex::new(Vec::new()),
                version,
            }),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// The newest schema version this build can migrate to.
    pub fn supported_schema_version() -> u32 {
        schema::latest_version()
    }

    /// Run `f` on the executor's blocking pool with access to the store.
    async fn blocking<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Inner) -> StoreResult<T> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => handle
                .spawn_blocking(move || f(&inner))
                .await
                .map_err(|e| StoreError::Backend {
                    backend: self.inner.backend.clone(),
                    message: format!("database task failed: {e}"),
                })?,
            Err(_) => f(&inner),
        }
    }

    /// Run `f` (which borrows its input) without blocking async worker threads: `block_in_place`
    /// on a multi-threaded runtime, otherwise `spawn_blocking` with an owned copy of the input.
    async fn blocking_borrowed<I, T, F>(&self, input: &I, f: F) -> StoreResult<T>
    where
        I: Clone + Send + Sync + 'static,
        T: Send + 'static,
        F: Fn(&Inner, &I) -> StoreResult<T> + Send + 'static,
    {
        use tokio::runtime::{Handle, RuntimeFlavor};
        match Handle::try_current().map(|h| h.runtime_flavor()) {
            Ok(RuntimeFlavor::MultiThread) => tokio::task::block_in_place(|| f(&self.inner, input)),
            Ok(_) => {
                let owned = input.clone();
                self.blocking(move |inner| f(inner, &owned)).await
            }
            Err(_) => f(&self.inner, input),
        }
    }
}

fn backend_error(backend: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend {
        backend: backend.to_string(),
        message: e.to_string(),
    }
}

fn open_connection(path: &Path, backend: &str) -> StoreResult<Connection> {
    let be = |e: rusqlite::Error| backend_error(backend, e);
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(be)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(be)?;
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
        .map_err(be)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(backend_error(
            backend,
            format!("could not switch the database to WAL mode (journal_mode is {mode})"),
        ));
    }
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(be)?;
    conn.pragma_update(None, "foreign_keys", false)
        .map_err(be)?;
    conn.pragma_update(None, "temp_store", "MEMORY")
        .map_err(be)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

/// Apply the pending migrations; returns the schema version.
fn migrate(conn: &mut Connection, backend: &str) -> StoreResult<u32> {
    let be = |e: rusqlite::Error| backend_error(backend, e);
    let supported = schema::latest_version();
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(be)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version INTEGER PRIMARY KEY,
             description TEXT NOT NULL,
             applied_at TEXT NOT NULL
         ) STRICT;",
    )
    .map_err(be)?;
    let current: i64 = tx
        .query_row(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            [],
            |r| r.get(0),
        )
        .map_err(be)?;
    let current = u32::try_from(current).map_err(|_| StoreError::Corrupt {
        table: "schema_migrations".to_string(),
        message: format!("version {current} is out of range"),
    })?;
    if current > supported {
        return Err(StoreError::SchemaTooNew {
            found: current,
            supported,
        });
    }
    for m in schema::MIGRATIONS.iter().filter(|m| m.version > current) {
        tx.execute_batch(&(m.sql)()).map_err(be)?;
        if m.version == schema::TYPED_RESULTS {
            results::migrate_legacy(&tx, backend)?;
        }
        tx.execute(
            "INSERT INTO schema_migrations (version, description, applied_at) VALUES (?1, ?2, ?3)",
            params![m.version, m.description, fixed_time(&Utc::now())],
        )
        .map_err(be)?;
    }
    // Result tables a later release added to the catalog are created here; existing ones must
    // have this release's columns.
    results::ensure_tables(&tx, backend)?;
    tx.pragma_update(None, "user_version", supported.max(current))
        .map_err(be)?;
    tx.commit().map_err(be)?;
    Ok(supported.max(current))
}

/// An instant as fixed-width RFC 3339 text (nine fractional digits): one canonical text per
/// instant, used for the tables this crate owns (results, runs, outbox, deliveries). Within years
/// 0000–9999 text order is time order; ordering and range tests use the `*_us` columns
/// ([`micros`]) first, and the text only to break ties within one microsecond.
fn fixed_time(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string()
}

/// Epoch microseconds, floored (fits `i64` over chrono's whole range).
fn micros(t: &DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

/// The instant of epoch microseconds (saturating at chrono's range).
fn from_micros(us: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_micros(us).unwrap_or(if us < 0 {
        DateTime::<Utc>::MIN_UTC
    } else {
        DateTime::<Utc>::MAX_UTC
    })
}

impl Inner {
    fn be(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        move |e| backend_error(&self.backend, e)
    }

    fn poisoned(&self) -> StoreError {
        StoreError::Backend {
            backend: self.backend.clone(),
            message: "connection lock poisoned by a panic in another task".to_string(),
        }
    }

    fn writer(&self) -> StoreResult<MutexGuard<'_, Connection>> {
        self.writer.lock().map_err(|_| self.poisoned())
    }

    /// Run `f` on a reader connection (from the pool, or a new one).
    fn with_reader<T>(&self, f: impl FnOnce(&mut Connection) -> StoreResult<T>) -> StoreResult<T> {
        let pooled = self.readers.lock().map_err(|_| self.poisoned())?.pop();
        let mut conn = match pooled {
            Some(c) => c,
            None => {
                let c = open_connection(&self.path, &self.backend)?;
                c.pragma_update(None, "query_only", true)
                    .map_err(self.be())?;
                c
            }
        };
        let out = f(&mut conn);
        if let Ok(mut pool) = self.readers.lock() {
            if pool.len() < MAX_IDLE_READERS && conn.is_autocommit() {
                pool.push(conn);
            }
        }
        out
    }

    fn corrupt(table: &str, message: impl Into<String>) -> StoreError {
        StoreError::Corrupt {
            table: table.to_string(),
            message: message.into(),
        }
    }

    fn parse_time(table: &str, text: &str) -> StoreResult<DateTime<Utc>> {
        parse_datetime(text).map_err(|e| Inner::corrupt(table, e))
    }

    fn parse_json(table: &str, text: &str) -> StoreResult<serde_json::Value> {
        serde_json::from_str(text).map_err(|e| Inner::corrupt(table, format!("bad JSON: {e}")))
    }

    // --- input tables -----------------------------------------------------------------------

    fn ingest(&self, batch: &Tables) -> StoreResult<IngestReport> {
        let mut conn = self.writer()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(self.be())?;
        let mut v = Upsert {
            tx: &tx,
            batch,
            report: IngestReport::default(),
            backend: &self.backend,
        };
        visit_tables(&mut v)?;
        let report = v.report;
        tx.commit().map_err(self.be())?;
        Ok(report)
    }

    fn read(&self, table: Table, range: TimeRange) -> StoreResult<Tables> {
        self.with_reader(|conn| {
            let mut v = Read {
                conn,
                table,
                range,
                out: Tables::default(),
                backend: &self.backend,
                absent: Vec::new(),
            };
            visit_tables(&mut v)?;
            Ok(v.out)
        })
    }

    fn counts(&self) -> StoreResult<BTreeMap<String, u64>> {
        self.with_reader(|conn| {
            // One read transaction: every count comes from the same snapshot.
            let tx = conn.transaction().map_err(self.be())?;
            let mut out = BTreeMap::new();
            let names = Table::ALL
                .iter()
                .map(|t| t.name())
                .chain(["runs", "notifications"]);
            for name in names {
                let n: i64 = tx
                    .query_row(
                        &format!("SELECT COUNT(*) FROM {}", schema::ident(name)),
                        [],
                        |r| r.get(0),
                    )
                    .map_err(self.be())?;
                out.insert(name.to_string(), u64::try_from(n).unwrap_or(0));
            }
            out.extend(results::counts(&tx, &self.backend)?);
            tx.commit().map_err(self.be())?;
            Ok(out)
        })
    }

    // --- runs and results -------------------------------------------------------------------

    fn write_run(&self, run: &RunOutput) -> StoreResult<()> {
        edupulse_store::check_run(run)?;
        let be = self.be();
        let json = |v: &serde_json::Value| {
            serde_json::to_string(v).map_err(|e| backend_error(&self.backend, e))
        };
        let mut conn = self.writer()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&be)?;
        {
            // 1. Results: each set replaces what its table had for the run's as_of.
            for set in &run.results {
                results::write_set(&tx, set, &self.backend)?;
            }
            // 2. The outbox: keys already there are ignored. The CHECK constraint on dedupe_key
            //    fails here, inside the transaction, for an empty key (`ON CONFLICT DO NOTHING`
            //    only covers the uniqueness conflict, unlike `INSERT OR IGNORE`).
            let mut notify = tx
                .prepare_cached(
                    "INSERT INTO notifications
                       (dedupe_key, kind, severity, title, body, payload, created_at, status)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending')
                     ON CONFLICT (dedupe_key) DO NOTHING",
                )
                .map_err(&be)?;
            for n in &run.notifications {
                notify
                    .execute(params![
                        n.dedupe_key,
                        n.kind,
                        n.severity.as_str(),
                        n.title,
                        n.body,
                        json(&n.payload)?,
                        fixed_time(&n.created_at),
                    ])
                    .map_err(&be)?;
            }
            // 3. The run record.
            tx.prepare_cached(
                "INSERT INTO runs (as_of, as_of_us, written_at, summary) VALUES (?1, ?4, ?2, ?3)
                 ON CONFLICT (as_of) DO UPDATE SET written_at = excluded.written_at,
                                                   summary = excluded.summary",
            )
            .map_err(&be)?
            .execute(params![
                fixed_time(&run.as_of),
                fixed_time(&Utc::now()),
                json(&run.summary)?,
                micros(&run.as_of)
            ])
            .map_err(&be)?;
        }
        tx.commit().map_err(&be)?;
        Ok(())
    }

    fn results(&self, table: &str, as_of: Option<DateTime<Utc>>) -> StoreResult<ResultSet> {
        let spec = edupulse_store::result_spec(table)?;
        self.with_reader(|conn| {
            let tx = conn.transaction().map_err(self.be())?;
            let set = results::read_set(&tx, spec, as_of, &self.backend)?;
            tx.commit().map_err(self.be())?;
            Ok(set)
        })
    }

    fn runs(&self) -> StoreResult<Vec<RunRecord>> {
        self.with_reader(|conn| {
            let be = self.be();
            let mut stmt = conn
                .prepare_cached(
                    "SELECT as_of, written_at, summary FROM runs ORDER BY as_of_us, as_of",
                )
                .map_err(&be)?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                })
                .map_err(&be)?;
            let mut out = Vec::new();
            for row in rows {
                let (as_of, written_at, summary) = row.map_err(&be)?;
                out.push(RunRecord {
                    as_of: Inner::parse_time("runs", &as_of)?,
                    written_at: Inner::parse_time("runs", &written_at)?,
                    summary: Inner::parse_json("runs", &summary)?,
                });
            }
            Ok(out)
        })
    }

    // --- the outbox -------------------------------------------------------------------------

    fn outbox(&self, pending_only: bool) -> StoreResult<Vec<OutboxItem>> {
        self.outbox_where(pending_only, None)
    }

    /// Claim every pending row for `lease`, unless another worker holds an unexpired claim (then
    /// nothing: one dispatcher at a time, see `Store::claim_outbox`); then return the rows this
    /// worker holds. The claim is one `IMMEDIATE` transaction, so SQLite's write lock makes the
    /// check and the claim atomic across processes. The claimant's host and pid are recorded,
    /// and `now` as its heartbeat.
    fn claim_outbox(
        &self,
        claimant: &Claimant,
        now: DateTime<Utc>,
        lease: std::time::Duration,
    ) -> StoreResult<Vec<OutboxItem>> {
        let be = self.be();
        let worker = claimant.worker.as_str();
        let now_us = micros(&now);
        let until = now_us.saturating_add(i64::try_from(lease.as_micros()).unwrap_or(i64::MAX));
        {
            let mut conn = self.writer()?;
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(&be)?;
            let busy: bool = tx
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM notifications
                     WHERE status = 'pending' AND claimed_by IS NOT NULL AND claimed_by <> ?1
                       AND claimed_until_us > ?2)",
                    params![worker, now_us],
                    |r| r.get(0),
                )
                .map_err(&be)?;
            if busy {
                tx.commit().map_err(&be)?;
                return Ok(Vec::new());
            }
            tx.execute(
                "UPDATE notifications SET claimed_by = ?1, claimed_until_us = ?2,
                        claim_host = ?4, claim_pid = ?5, heartbeat_us = ?3
                 WHERE status = 'pending'
                   AND (claimed_by IS NULL OR claimed_by = ?1 OR claimed_until_us <= ?3)",
                params![worker, until, now_us, claimant.host, claimant.pid],
            )
            .map_err(&be)?;
            tx.commit().map_err(&be)?;
        }
        self.outbox_where(true, Some(worker))
    }

    fn heartbeat(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: std::time::Duration,
    ) -> StoreResult<bool> {
        let be = self.be();
        let now_us = micros(&now);
        let until = now_us.saturating_add(i64::try_from(lease.as_micros()).unwrap_or(i64::MAX));
        let mut conn = self.writer()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&be)?;
        tx.execute(
            "UPDATE notifications SET heartbeat_us = ?2, claimed_until_us = ?3
             WHERE claimed_by = ?1",
            params![worker, now_us, until],
        )
        .map_err(&be)?;
        let held: bool = tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM notifications
                 WHERE status = 'pending' AND claimed_by = ?1)",
                params![worker],
                |r| r.get(0),
            )
            .map_err(&be)?;
        tx.commit().map_err(&be)?;
        Ok(held)
    }

    fn claim_holders(&self, now: DateTime<Utc>) -> StoreResult<Vec<ClaimHolder>> {
        let now_us = micros(&now);
        self.with_reader(|conn| {
            let be = self.be();
            let mut stmt = conn
                .prepare_cached(
                    "SELECT claimed_by, claim_host, claim_pid, MAX(claimed_until_us),
                            MAX(heartbeat_us)
                     FROM notifications
                     WHERE status = 'pending' AND claimed_by IS NOT NULL
                       AND claimed_until_us > ?1
                     GROUP BY claimed_by, claim_host, claim_pid
                     ORDER BY claimed_by",
                )
                .map_err(&be)?;
            let mut rows = stmt.query(params![now_us]).map_err(&be)?;
            let mut out = Vec::new();
            while let Some(r) = rows.next().map_err(&be)? {
                let until: i64 = r.get(3).map_err(&be)?;
                let beat: Option<i64> = r.get(4).map_err(&be)?;
                out.push(ClaimHolder {
                    worker: r.get(0).map_err(&be)?,
                    host: r.get(1).map_err(&be)?,
                    pid: r.get(2).map_err(&be)?,
                    claimed_until: from_micros(until),
                    heartbeat_at: beat.map(from_micros),
                });
            }
            Ok(out)
        })
    }

    fn release_claims(&self, worker: &str) -> StoreResult<()> {
        let be = self.be();
        let conn = self.writer()?;
        conn.execute(
            "UPDATE notifications SET claimed_by = NULL, claimed_until_us = NULL,
                    claim_host = NULL, claim_pid = NULL, heartbeat_us = NULL
             WHERE claimed_by = ?1",
            params![worker],
        )
        .map_err(&be)?;
        Ok(())
    }

    /// Outbox rows (all, or pending only), optionally only those claimed by `worker`.
    fn outbox_where(
        &self,
        pending_only: bool,
        worker: Option<&str>,
    ) -> StoreResult<Vec<OutboxItem>> {
        self.with_reader(|conn| {
            let be = self.be();
            let tx = conn.transaction().map_err(&be)?;
            let mut items = Vec::new();
            {
                let mut stmt = tx
                    .prepare_cached(
                        "SELECT dedupe_key, kind, severity, title, body, payload, created_at,
                                status, attempts, last_error, next_attempt_at, sent_at
                         FROM notifications
                         WHERE (?1 = 0 OR status = 'pending') AND (?2 IS NULL OR claimed_by = ?2)
                         ORDER BY seq",
                    )
                    .map_err(&be)?;
                let mut rows = stmt.query(params![pending_only, worker]).map_err(&be)?;
                while let Some(r) = rows.next().map_err(&be)? {
                    items.push(outbox_item(r).map_err(&be)??);
                }
                let mut stmt = tx
                    .prepare_cached(
                        "SELECT d.dedupe_key, d.channel FROM deliveries d
                         JOIN notifications n ON n.dedupe_key = d.dedupe_key
                         WHERE (?1 = 0 OR n.status = 'pending') ORDER BY d.id",
                    )
                    .map_err(&be)?;
                let mut delivered: BTreeMap<String, Vec<String>> = BTreeMap::new();
                let mut rows = stmt.query([pending_only]).map_err(&be)?;
                while let Some(r) = rows.next().map_err(&be)? {
                    let key: String = r.get(0).map_err(&be)?;
                    let channel: String = r.get(1).map_err(&be)?;
                    let list = delivered.entry(key).or_default();
                    if !list.contains(&channel) {
                        list.push(channel);
                    }
                }
                for item in &mut items {
                    if let Some(list) = delivered.remove(&item.notification.dedupe_key) {
                        item.delivered_to = list;
                    }
                }
            }
            tx.commit().map_err(&be)?;
            Ok(items)
        })
    }

    fn record_delivery(&self, a: &DeliveryAttempt) -> StoreResult<()> {
        let be = self.be();
        let mut conn = self.writer()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&be)?;
        let exists = tx
            .query_row(
                "SELECT 1 FROM notifications WHERE dedupe_key = ?1",
                [&a.dedupe_key],
                |_| Ok(()),
            )
            .optional()
            .map_err(&be)?
            .is_some();
        if !exists {
            return Err(StoreError::Validation(CoreError::validation(
                "notifications",
                None,
                Some("dedupe_key"),
                format!("no outbox row has dedupe key {:?}", a.dedupe_key),
            )));
        }
        match &a.error {
            None => {
                tx.execute(
                    "INSERT INTO deliveries (dedupe_key, channel, at, at_us)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![a.dedupe_key, a.channel, fixed_time(&a.at), micros(&a.at)],
                )
                .map_err(&be)?;
                if a.completes {
                    tx.execute(
                        "UPDATE notifications SET status = 'sent', sent_at = ?2,
                                next_attempt_at = NULL
                         WHERE dedupe_key = ?1",
                        params![a.dedupe_key, fixed_time(&a.at)],
                    )
                    .map_err(&be)?;
                }
            }
            Some(err) => {
                tx.execute(
                    "UPDATE notifications SET attempts = attempts + 1, last_error = ?2,
                            next_attempt_at = ?3,
                            status = CASE WHEN ?3 IS NULL THEN 'failed' ELSE status END
                     WHERE dedupe_key = ?1",
                    params![a.dedupe_key, err, a.retry_at.as_ref().map(fixed_time)],
                )
                .map_err(&be)?;
            }
        }
        tx.commit().map_err(&be)?;
        Ok(())
    }

    fn delivered_since(&self, channel: &str, since: DateTime<Utc>) -> StoreResult<u64> {
        self.with_reader(|conn| {
            let n: i64 = conn
                .query_row(
                    "SELECT COUNT(*) FROM deliveries
                     WHERE channel = ?1 AND (at_us > ?2 OR (at_us = ?2 AND at >= ?3))",
                    params![channel, micros(&since), fixed_time(&since)],
                    |r| r.get(0),
                )
                .map_err(self.be())?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
    }
}

impl Inner {
    /// Every row of the fixed tables, from one read snapshot (backups).
    fn export_fixed(&self) -> StoreResult<FixedTables> {
        self.with_reader(|conn| {
            let be = self.be();
            let tx = conn.transaction().map_err(&be)?;
            let mut out = FixedTables::default();
            {
                out.results = results::read_all_sets(&tx, &self.backend)?;
                out.legacy_results = results::read_legacy(&tx, &self.backend)?;
                let mut st = tx
                    .prepare("SELECT as_of, as_of_us, written_at, summary FROM runs ORDER BY as_of")
                    .map_err(&be)?;
                let rows = st
                    .query_map([], |r| {
                        Ok(RunRow {
                            as_of: r.get(0)?,
                            as_of_us: r.get(1)?,
                            written_at: r.get(2)?,
                            summary: r.get(3)?,
                        })
                    })
                    .map_err(&be)?;
                for r in rows {
                    out.runs.push(r.map_err(&be)?);
                }
                let mut st = tx
                    .prepare(
                        "SELECT seq, dedupe_key, kind, severity, title, body, payload, created_at,
                                status, attempts, last_error, next_attempt_at, sent_at
                         FROM notifications ORDER BY seq",
                    )
                    .map_err(&be)?;
                let rows = st
                    .query_map([], |r| {
                        Ok(NotificationRow {
                            seq: r.get(0)?,
                            dedupe_key: r.get(1)?,
                            kind: r.get(2)?,
                            severity: r.get(3)?,
                            title: r.get(4)?,
                            body: r.get(5)?,
                            payload: r.get(6)?,
                            created_at: r.get(7)?,
                            status: r.get(8)?,
                            attempts: r.get(9)?,
                            last_error: r.get(10)?,
                            next_attempt_at: r.get(11)?,
                            sent_at: r.get(12)?,
                        })
                    })
                    .map_err(&be)?;
                for r in rows {
                    out.notifications.push(r.map_err(&be)?);
                }
                let mut st = tx
                    .prepare(
                        "SELECT id, dedupe_key, channel, at, at_us FROM deliveries ORDER BY id",
                    )
                    .map_err(&be)?;
                let rows = st
                    .query_map([], |r| {
                        Ok(DeliveryRow {
                            id: r.get(0)?,
                            dedupe_key: r.get(1)?,
                            channel: r.get(2)?,
                            at: r.get(3)?,
                            at_us: r.get(4)?,
                        })
                    })
                    .map_err(&be)?;
                for r in rows {
                    out.deliveries.push(r.map_err(&be)?);
                }
            }
            tx.commit().map_err(&be)?;
            Ok(out)
        })
    }

    /// Write the fixed tables of a backup in one transaction.
    fn import_fixed(&self, t: &FixedTables) -> StoreResult<()> {
        let be = self.be();
        let mut conn = self.writer()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&be)?;
        {
            for set in &t.results {
                edupulse_store::result_spec(set.spec.name)?;
                set.check()?;
                results::write_set(&tx, set, &self.backend)?;
            }
            results::write_legacy(&tx, &t.legacy_results, &self.backend)?;
            let mut st = tx
                .prepare(
                    "INSERT INTO runs (as_of, as_of_us, written_at, summary) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (as_of) DO UPDATE SET written_at = excluded.written_at,
                         summary = excluded.summary",
                )
                .map_err(&be)?;
            for r in &t.runs {
                st.execute(params![r.as_of, r.as_of_us, r.written_at, r.summary])
                    .map_err(&be)?;
            }
            let mut st = tx
                .prepare(
                    "INSERT INTO notifications (seq, dedupe_key, kind, severity, title, body,
                         payload, created_at, status, attempts, last_error, next_attempt_at, sent_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
                     ON CONFLICT (dedupe_key) DO UPDATE SET status = excluded.status,
                         attempts = excluded.attempts, last_error = excluded.last_error,
                         next_attempt_at = excluded.next_attempt_at, sent_at = excluded.sent_at",
                )
                .map_err(&be)?;
            for n in &t.notifications {
                st.execute(params![
                    n.seq,
                    n.dedupe_key,
                    n.kind,
                    n.severity,
                    n.title,
                    n.body,
                    n.payload,
                    n.created_at,
                    n.status,
                    n.attempts,
                    n.last_error,
                    n.next_attempt_at,
                    n.sent_at
                ])
                .map_err(&be)?;
            }
            let mut st = tx
                .prepare(
                    "INSERT INTO deliveries (id, dedupe_key, channel, at, at_us)
                     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (id) DO NOTHING",
                )
                .map_err(&be)?;
            for d in &t.deliveries {
                st.execute(params![d.id, d.dedupe_key, d.channel, d.at, d.at_us])
                    .map_err(&be)?;
            }
        }
        tx.commit().map_err(&be)?;
        Ok(())
    }
}

/// Decode one `notifications` row (outer error: SQLite; inner: bad stored data).
fn outbox_item(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoreResult<OutboxItem>> {
    const T: &str = "notifications";
    let severity: String = r.get(2)?;
    let payload: String = r.get(5)?;
    let created_at: String = r.get(6)?;
    let status: String = r.get(7)?;
    let attempts: i64 = r.get(8)?;
    let next_attempt_at: Option<String> = r.get(10)?;
    let sent_at: Option<String> = r.get(11)?;
    let (dedupe_key, kind, title, body, last_error): (
        String,
        String,
        String,
        String,
        Option<String>,
    ) = (r.get(0)?, r.get(1)?, r.get(3)?, r.get(4)?, r.get(9)?);
    let decode = || -> StoreResult<OutboxItem> {
        Ok(OutboxItem {
            notification: Notification {
                dedupe_key,
                kind,
                severity: Severity::parse(&severity)
                    .ok_or_else(|| Inner::corrupt(T, format!("unknown severity {severity:?}")))?,
                title,
                body,
                payload: Inner::parse_json(T, &payload)?,
                created_at: Inner::parse_time(T, &created_at)?,
            },
            status: OutboxStatus::parse(&status)
                .ok_or_else(|| Inner::corrupt(T, format!("unknown status {status:?}")))?,
            attempts: u32::try_from(attempts)
                .map_err(|_| Inner::corrupt(T, format!("attempts {attempts} out of range")))?,
            last_error,
            next_attempt_at: next_attempt_at
                .as_deref()
                .map(|t| Inner::parse_time(T, t))
                .transpose()?,
            delivered_to: Vec::new(),
            sent_at: sent_at
                .as_deref()
                .map(|t| Inner::parse_time(T, t))
                .transpose()?,
        })
    };
    Ok(decode())
}

/// Upserts every table of a batch inside one transaction.
struct Upsert<'a> {
    tx: &'a rusqlite::Transaction<'a>,
    batch: &'a Tables,
    report: IngestReport,
    backend: &'a str,
}

impl TableVisitor for Upsert<'_> {
    type Error = StoreError;
    fn visit<R: Record>(&mut self) -> StoreResult<()> {
        let be = |e: rusqlite::Error| backend_error(self.backend, e);
        let rows = R::rows(self.batch);
        let name = R::TABLE.name().to_string();
        self.report.received.insert(name.clone(), rows.len() as u64);
        let mut written = 0u64;
        if !rows.is_empty() {
            let is_key: Vec<bool> = R::columns().iter().map(schema::is_key::<R>).collect();
            let shadow = is_key.len() + 1;
            let mut stmt = self
                .tx
                .prepare_cached(&schema::upsert_sql::<R>())
                .map_err(be)?;
            for r in rows {
                for (i, v) in r.to_values().iter().enumerate() {
                    bind(&mut stmt, i + 1, v, is_key.get(i).copied().unwrap_or(false))
                        .map_err(be)?;
                }
                if let Some(t) = r.time() {
                    stmt.raw_bind_parameter(shadow, t.timestamp_micros())
                        .map_err(be)?;
                }
                written += stmt.raw_execute().map_err(be)? as u64;
            }
        }
        self.report.written.insert(name, written);
        Ok(())
    }
}

/// Bind one value in its storage form (a missing key part is `''`).
fn bind(
    stmt: &mut rusqlite::CachedStatement<'_>,
    idx: usize,
    v: &Value,
    is_key: bool,
) -> rusqlite::Result<()> {
    match v {
        Value::Null if is_key => stmt.raw_bind_parameter(idx, ""),
        Value::Null => stmt.raw_bind_parameter(idx, rusqlite::types::Null),
        Value::Text(s) => stmt.raw_bind_parameter(idx, s.as_str()),
        Value::Float(x) => stmt.raw_bind_parameter(idx, *x),
        Value::Int(i) => stmt.raw_bind_parameter(idx, *i),
        Value::Bool(b) => stmt.raw_bind_parameter(idx, i64::from(*b)),
        Value::DateTime(_) | Value::Date(_) | Value::Json(_) => {
            stmt.raw_bind_parameter(idx, v.to_text().unwrap_or_default())
        }
    }
}

/// Every row of one input table, read inside the migration to schema `version`: the columns
/// added by later migrations read as `NULL`.
pub(crate) fn read_at(
    conn: &Connection,
    table: Table,
    version: u32,
    backend: &str,
) -> StoreResult<Tables> {
    let mut v = Read {
        conn,
        table,
        range: TimeRange::ALL,
        out: Tables::default(),
        backend,
        absent: edupulse_store::sql::added_after(table, version),
    };
    visit_tables(&mut v)?;
    Ok(v.out)
}

/// Reads one table (chosen by `table`).
struct Read<'a> {
    conn: &'a Connection,
    table: Table,
    range: TimeRange,
    out: Tables,
    backend: &'a str,
    /// Columns a database at an older schema does not have yet (read as `NULL`).
    absent: Vec<&'static str>,
}

impl TableVisitor for Read<'_> {
    type Error = StoreError;
    fn visit<R: Record>(&mut self) -> StoreResult<()> {
        if R::TABLE != self.table {
            return Ok(());
        }
        let be = |e: rusqlite::Error| backend_error(self.backend, e);
        let name = R::TABLE.name();
        // Coarse filter on the floored microseconds; the exact half-open test is done below.
        let start = self.range.start.map(|t| t.timestamp_micros());
        let end = self.range.end.map(|t| t.timestamp_micros());
        let sql = schema::select_sql::<R>(start.is_some(), end.is_some(), &self.absent);
        let mut stmt = self.conn.prepare_cached(&sql).map_err(be)?;
        let bounds: Vec<i64> = if schema::has_time::<R>() {
            start.into_iter().chain(end).collect()
        } else {
            Vec::new()
        };
        let mut rows = stmt.query(rusqlite::params_from_iter(bounds)).map_err(be)?;
        let ncols = R::columns().len();
        let mut texts: Vec<Option<String>> = Vec::with_capacity(ncols);
        let out = R::rows_mut(&mut self.out);
        while let Some(row) = rows.next().map_err(be)? {
            texts.clear();
            for (i, col) in R::columns().iter().enumerate() {
                let text = match row.get_ref(i).map_err(be)? {
                    ValueRef::Null => None,
                    ValueRef::Integer(n) => Some(n.to_string()),
                    ValueRef::Real(x) => Some(format!("{x}")),
                    ValueRef::Text(b) => Some(
                        std::str::from_utf8(b)
                            .map_err(|_| Inner::corrupt(name, "text is not UTF-8"))?
                            .to_string(),
                    ),
                    ValueRef::Blob(_) => {
                        return Err(Inner::corrupt(
                            name,
                            format!("column `{}` holds a blob", col.name),
                        ))
                    }
                };
                texts.push(text);
            }
            let fields: Vec<Option<&str>> = texts.iter().map(|t| t.as_deref()).collect();
            let rec = R::from_fields(&fields)
                .map_err(|(col, msg)| Inner::corrupt(name, format!("column `{col}`: {msg}")))?;
            if self.range.admits(rec.time()) {
                out.push(rec);
            }
        }
        out.sort_by_cached_key(|r| r.key());
        Ok(())
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn describe(&self) -> String {
        format!("sqlite://{}", self.inner.path.display())
    }

    async fn schema_version(&self) -> StoreResult<u32> {
        Ok(self.inner.version)
    }

    async fn ingest(&self, batch: &Tables) -> StoreResult<IngestReport> {
        self.blocking_borrowed(batch, |inner, b| inner.ingest(b))
            .await
    }

    async fn read(&self, table: Table, range: TimeRange) -> StoreResult<Tables> {
        self.blocking(move |inner| inner.read(table, range)).await
    }

    async fn counts(&self) -> StoreResult<BTreeMap<String, u64>> {
        self.blocking(|inner| inner.counts()).await
    }

    async fn write_run(&self, run: &RunOutput) -> StoreResult<()> {
        let run = run.clone();
        self.blocking(move |inner| inner.write_run(&run)).await
    }

    async fn results(&self, table: &str, as_of: Option<DateTime<Utc>>) -> StoreResult<ResultSet> {
        let table = table.to_string();
        self.blocking(move |inner| inner.results(&table, as_of))
            .await
    }

    async fn runs(&self) -> StoreResult<Vec<RunRecord>> {
        self.blocking(|inner| inner.runs()).await
    }

    async fn outbox(&self, pending_only: bool) -> StoreResult<Vec<OutboxItem>> {
        self.blocking(move |inner| inner.outbox(pending_only)).await
    }

    async fn claim_outbox(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: std::time::Duration,
    ) -> StoreResult<Vec<OutboxItem>> {
        self.claim_outbox_as(&Claimant::new(worker), now, lease)
            .await
    }

    async fn claim_outbox_as(
        &self,
        claimant: &Claimant,
        now: DateTime<Utc>,
        lease: std::time::Duration,
    ) -> StoreResult<Vec<OutboxItem>> {
        let claimant = claimant.clone();
        self.blocking(move |inner| inner.claim_outbox(&claimant, now, lease))
            .await
    }

    async fn heartbeat(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: std::time::Duration,
    ) -> StoreResult<bool> {
        let worker = worker.to_string();
        self.blocking(move |inner| inner.heartbeat(&worker, now, lease))
            .await
    }

    async fn claim_holders(&self, now: DateTime<Utc>) -> StoreResult<Vec<ClaimHolder>> {
        self.blocking(move |inner| inner.claim_holders(now)).await
    }

    async fn release_claims(&self, worker: &str) -> StoreResult<()> {
        let worker = worker.to_string();
        self.blocking(move |inner| inner.release_claims(&worker))
            .await
    }

    async fn record_delivery(&self, attempt: &DeliveryAttempt) -> StoreResult<()> {
        let attempt = attempt.clone();
        self.blocking(move |inner| inner.record_delivery(&attempt))
            .await
    }

    async fn export_fixed(&self) -> StoreResult<FixedTables> {
        self.blocking(|inner| inner.export_fixed()).await
    }

    async fn import_fixed(&self, tables: &FixedTables) -> StoreResult<()> {
        let tables = tables.clone();
        self.blocking(move |inner| inner.import_fixed(&tables))
            .await
    }

    async fn delivered_since(&self, channel: &str, since: DateTime<Utc>) -> StoreResult<u64> {
        let channel = channel.to_string();
        self.blocking(move |inner| inner.delivered_since(&channel, since))
            .await
    }
}

#[cfg(test)]
mod upgrade_tests {
    //! Upgrading a store written by the release before typed result tables (schema v3).
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use edupulse_core::results::legacy::LegacyRow;
    use edupulse_store::conformance;

    /// A database at schema v3 (the previous release) holding `old` in `results` and `webinars`.
    fn old_store(path: &Path, old: &[LegacyRow], webinars: &Tables) {
        let mut conn = Connection::open(path).unwrap();
        let tx = conn.transaction().unwrap();
        tx.execute_batch(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY,
             description TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT;",
        )
        .unwrap();
        for m in schema::MIGRATIONS
            .iter()
            .filter(|m| m.version < schema::TYPED_RESULTS)
        {
            tx.execute_batch(&(m.sql)()).unwrap();
            tx.execute(
                "INSERT INTO schema_migrations VALUES (?1, ?2, 'then')",
                params![m.version, m.description],
            )
            .unwrap();
        }
        // Today's writer writes every column: the columns added after v3 exist while it writes
        // the rows and are dropped again, which leaves the v3 layout.
        let added = edupulse_store::sql::ADDED_COLUMNS;
        for (t, c, _) in added {
            tx.execute_batch(&format!("ALTER TABLE {} ADD COLUMN {c} TEXT", t.name()))
                .unwrap();
        }
        let mut up = Upsert {
            tx: &tx,
            batch: webinars,
            report: IngestReport::default(),
            backend: "test",
        };
        visit_tables(&mut up).unwrap();
        for (t, c, _) in added {
            tx.execute_batch(&format!("ALTER TABLE {} DROP COLUMN {c}", t.name()))
                .unwrap();
        }
        for r in old {
            tx.execute(
                "INSERT INTO results (table_name, as_of, as_of_us, key, data)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    r.table,
                    fixed_time(&r.as_of),
                    micros(&r.as_of),
                    r.key,
                    r.data.to_string()
                ],
            )
            .unwrap();
        }
        tx.commit().unwrap();
    }

    fn schema_dump(path: &Path) -> Vec<(String, i64)> {
        let conn = Connection::open(path).unwrap();
        let mut st = conn
            .prepare("SELECT name, (SELECT COUNT(*) FROM schema_migrations) FROM sqlite_master ORDER BY name")
            .unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_v3_store_is_upgraded_and_every_old_result_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        let old = conformance::legacy_fixture();
        let webinars = Tables {
            webinars: vec![conformance::legacy_fixture_webinar()],
            ..Tables::default()
        };
        old_store(&path, &old, &webinars);
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(
            store.schema_version().await.unwrap(),
            SqliteStore::supported_schema_version()
        );
        conformance::assert_legacy_migrated(&store, &old, &webinars.webinars).await;
        assert_eq!(
            store.read_all(TimeRange::ALL).await.unwrap(),
            webinars,
            "input tables untouched"
        );
        drop(store);
        // The issue's acceptance query, in plain SQL on the file.
        let conn = Connection::open(&path).unwrap();
        let mut st = conn
            .prepare("SELECT risk_level, count(*) FROM churn_scores_latest GROUP BY 1 ORDER BY 1")
            .unwrap();
        let levels: Vec<(String, i64)> = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let scores = old.iter().filter(|r| r.table == "churn_scores").count() as i64;
        assert_eq!(
            levels.iter().map(|l| l.1).sum::<i64>(),
            scores,
            "{levels:?}"
        );
        let gone: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE name = 'results'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(gone, 0, "the old results table is dropped");
        // Reopening is a no-op.
        let store = SqliteStore::open(&path).unwrap();
        conformance::assert_legacy_migrated(&store, &old, &webinars.webinars).await;
    }

    #[tokio::test]
    async fn a_bad_old_row_stops_the_upgrade_and_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.db");
        let mut old = conformance::legacy_fixture();
        let i = old.iter().position(|r| r.table == "churn_scores").unwrap();
        old[i].data = serde_json::json!({"student_id": 7});
        old_store(&path, &old, &Tables::default());
        let before = schema_dump(&path);
        let err = SqliteStore::open(&path).unwrap_err();
        assert!(err.to_string().contains("churn_scores"), "{err}");
        assert_eq!(schema_dump(&path), before, "nothing touched");
    }

    #[test]
    fn a_result_table_with_other_columns_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("drift.db");
        drop(SqliteStore::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("DROP VIEW kpi_summary_latest; DROP TABLE kpi_summary; CREATE TABLE kpi_summary (as_of TEXT NOT NULL PRIMARY KEY, students INTEGER NOT NULL);")
            .unwrap();
        drop(conn);
        let err = SqliteStore::open(&path).unwrap_err().to_string();
        assert!(
            err.contains("`kpi_summary`") && err.contains("completion_rate"),
            "{err}"
        );
        // A table the catalog gained later is created on open (here: one dropped by hand).
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP TABLE kpi_summary; DROP VIEW churn_scores_latest; DROP TABLE churn_scores;",
        )
        .unwrap();
        drop(conn);
        drop(SqliteStore::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        let n: i64 = conn
            .query_row("SELECT COUNT(*) FROM churn_scores_latest", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0);
    }
}
