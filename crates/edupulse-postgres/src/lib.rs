//! # edupulse-postgres
//!
//! The server edupulse store on PostgreSQL (tokio-postgres), for several workers sharing one
//! database. Same tables, same contract and same conformance suite as the SQLite backend.
//!
//! - a small pool of connections; a connection that the server closed (restart, idle timeout) is
//!   dropped and replaced on the next call, so a restarted server is picked up without reopening;
//! - versioned migrations (`schema_migrations`) applied on [`PostgresStore::connect`] under an
//!   advisory lock, so several processes opening one database at once migrate it once; a database
//!   written by a newer edupulse is refused with [`StoreError::SchemaTooNew`];
//! - input tables generated from the record types (`Record::columns()`), keyed on `Record::KEY`,
//!   with an indexed epoch-microsecond shadow column `_t`; ingest is a batched
//!   `INSERT … SELECT * FROM unnest($1, $2, …) ON CONFLICT … DO UPDATE … WHERE <differs>`: every
//!   value is a bound parameter, and only new or changed rows are counted;
//! - one transaction per call; the outbox is written in the same transaction as a run's results;
//! - the URL may carry `?schema=NAME` (tables live in that schema, created if missing),
//!   `connect_timeout=SECONDS` (default 10) and `application_name=…`;
//! - TLS with rustls: `sslmode=require` (or `verify-ca`, `verify-full`) makes every connection
//!   encrypted **and verified** — the server's certificate must chain to a trusted root and name
//!   the host — with the system's roots, or only the CA certificates of
//!   `sslrootcert=PATH` (PEM) when given. This is stricter than libpq's `require`, which does not
//!   verify. `disable`, `allow` and `prefer` (and no `sslmode`) connect without TLS.
//!
//! Errors name the host, port, user and database, never the password.
//!
//! ```no_run
//! # async fn demo() -> Result<(), edupulse_store::StoreError> {
//! use edupulse_postgres::PostgresStore;
//! use edupulse_store::Store;
//! let store = PostgresStore::connect("postgres://app@db.internal:5432/edupulse").await?;
//! println!("schema v{}", store.schema_version().await?);
//! # Ok(()) }
//! ```
#![warn(missing_docs)]

mod results;
mod schema;
pub mod testing;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use edupulse_core::model::{
    parse_datetime, visit_tables, ColumnKind, Record, Table, TableVisitor, Tables, Value,
};
use edupulse_core::results::{
    DeliveryAttempt, Notification, OutboxItem, OutboxStatus, ResultSet, RunOutput, RunRecord,
    Severity,
};
use edupulse_core::CoreError;
use edupulse_store::backup::{DeliveryRow, FixedTables, NotificationRow, RunRow};
use edupulse_store::url::PostgresUrl;
use edupulse_store::{
    ClaimHolder, Claimant, IngestReport, Store, StoreError, StoreResult, StoreUrl, TimeRange,
};
use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, GenericClient, NoTls};

/// Idle connections kept open.
const MAX_IDLE: usize = 4;
/// Rows per `unnest` batch of an ingest.
const CHUNK_ROWS: usize = 5_000;
/// Default connect timeout.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The advisory lock key serialising migrations ("edupulse" in ASCII, truncated).
const MIGRATION_LOCK: i64 = 0x6564_7570_756c_7365;
/// The advisory lock key serialising the creation of a `?schema=` schema (not the migration key:
/// a migration holds that one while its pool may open further connections).
const SCHEMA_LOCK: i64 = MIGRATION_LOCK + 1;

/// A store in a PostgreSQL database. Cheap to share (`Arc<dyn Store>`); all methods take `&self`.
pub struct PostgresStore {
    inner: Arc<Inner>,
}

struct Inner {
    config: tokio_postgres::Config,
    /// The TLS connector (`sslmode=require` and stricter); `None`: plain TCP.
    tls: Option<tokio_postgres_rustls::MakeRustlsConnect>,
    /// `postgres://user@host:port/db` (no password), used in messages.
    backend: String,
    /// The schema holding the tables (`None`: the server's default search path).
    schema: Option<String>,
    idle: Mutex<Vec<Client>>,
    version: u32,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("backend", &self.inner.backend)
            .field("schema", &self.inner.schema)
            .field("schema_version", &self.inner.version)
            .finish_non_exhaustive()
    }
}

/// A pooled connection, returned to the pool when dropped (unless the server closed it).
struct Conn<'a> {
    client: Option<Client>,
    inner: &'a Inner,
}

impl std::ops::Deref for Conn<'_> {
    type Target = Client;
    fn deref(&self) -> &Client {
        // Invariant: `client` is `Some` until `drop`.
        self.client.as_ref().unwrap_or_else(|| unreachable!())
    }
}

impl std::ops::DerefMut for Conn<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        self.client.as_mut().unwrap_or_else(|| unreachable!())
    }
}

impl Drop for Conn<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.client.take() {
            if !c.is_closed() {
                if let Ok(mut idle) = self.inner.idle.lock() {
                    if idle.len() < MAX_IDLE {
                        idle.push(c);
                    }
                }
            }
        }
    }
}

/// The text of a tokio-postgres error: the server's message (and detail) for database errors,
/// the cause chain otherwise. Never contains the password (tokio-postgres does not echo it).
fn pg_message(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        let mut m = format!("{}: {}", db.severity(), db.message());
        if let Some(d) = db.detail() {
            m.push_str(&format!(" ({d})"));
        }
        return m;
    }
    let mut m = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        m.push_str(&format!(": {s}"));
        src = s.source();
    }
    m
}

fn backend_error(backend: &str, message: impl Into<String>) -> StoreError {
    StoreError::Backend {
        backend: backend.to_string(),
        message: message.into(),
    }
}

impl PostgresStore {
    /// Connect to the database at a `postgres://` (or `postgresql://`) URL and migrate it.
    ///
    /// Errors: [`StoreError::Url`] for a malformed URL or unsupported parameter;
    /// [`StoreError::Backend`] naming the host (never the password) when the server cannot be
    /// reached or refuses the login; [`StoreError::SchemaTooNew`] for a database written by a
    /// newer edupulse.
    pub async fn connect(url: &str) -> StoreResult<PostgresStore> {
        match StoreUrl::parse(url)? {
            StoreUrl::Postgres(pg) => PostgresStore::connect_parsed(&pg).await,
            other => Err(StoreError::Url {
                url: other.redacted(),
                message: "expected a postgres:// URL".to_string(),
            }),
        }
    }

    /// [`PostgresStore::connect`] with an already parsed URL.
    pub async fn connect_parsed(url: &PostgresUrl) -> StoreResult<PostgresStore> {
        let user = url.user.clone().unwrap_or_else(|| "postgres".to_string());
        let backend = format!(
            "postgres://{}@{}:{}/{}",
            user,
            if url.host.contains(':') {
                format!("[{}]", url.host)
            } else {
                url.host.clone()
            },
            url.port,
            url.database
        );
        let url_err = |message: String| StoreError::Url {
            url: StoreUrl::Postgres(url.clone()).redacted(),
            message,
        };
        let mut config = tokio_postgres::Config::new();
        config
            .host(&url.host)
            .port(url.port)
            .user(&user)
            .dbname(&url.database)
            .connect_timeout(CONNECT_TIMEOUT)
            .application_name("edupulse");
        if let Some(p) = &url.password {
            config.password(p.as_bytes());
        }
        let mut schema = None;
        let mut tls_required = false;
        let mut root_cert: Option<&str> = None;
        for (k, v) in &url.params {
            match k.as_str() {
                "schema" => {
                    if v.is_empty() {
                        return Err(url_err("`schema` must not be empty".to_string()));
                    }
                    schema = Some(v.clone());
                }
                "connect_timeout" => {
                    let secs: u64 = v.parse().ok().filter(|s| *s > 0).ok_or_else(|| {
                        url_err(format!(
                            "`connect_timeout` must be a positive number of seconds, got {v:?}"
                        ))
                    })?;
                    config.connect_timeout(Duration::from_secs(secs));
                }
                "application_name" => {
                    config.application_name(v);
                }
                "sslmode" => match v.as_str() {
                    "disable" | "allow" | "prefer" => tls_required = false,
                    "require" | "verify-ca" | "verify-full" => tls_required = true,
                    _ => {
                        return Err(url_err(format!(
                            "sslmode={v} is not one of disable, allow, prefer (no TLS), \
                             require, verify-ca, verify-full (TLS, certificate verified)"
                        )))
                    }
                },
                "sslrootcert" => root_cert = Some(v.as_str()).filter(|p| !p.is_empty()),
                _ => {
                    return Err(url_err(format!(
                        "unknown parameter `{k}` (supported: schema, connect_timeout, \
                         application_name, sslmode, sslrootcert)"
                    )))
                }
            }
        }
        let tls = if tls_required {
            config.ssl_mode(tokio_postgres::config::SslMode::Require);
            Some(tls_connector(root_cert).map_err(url_err)?)
        } else if root_cert.is_some() {
            return Err(url_err(
                "`sslrootcert` needs sslmode=require, verify-ca or verify-full".to_string(),
            ));
        } else {
            None
        };
        let mut inner = Inner {
            config,
            tls,
            backend,
            schema,
            idle: Mutex::new(Vec::new()),
            version: 0,
        };
        inner.version = inner.migrate().await?;
        Ok(PostgresStore {
            inner: Arc::new(inner),
        })
    }

    /// The newest schema version this build can migrate to.
    pub fn supported_schema_version() -> u32 {
        schema::latest_version()
    }

    /// The schema holding the tables, if the URL named one.
    pub fn schema(&self) -> Option<&str> {
        self.inner.schema.as_deref()
    }
}

/// The rustls connector for `sslmode=require` and stricter: the system's trusted roots (through
/// the platform verifier, as the webhook client), or only the PEM certificates in `root_cert`.
/// The crypto provider is chosen explicitly, so another provider in the process cannot make the
/// default lookup fail.
fn tls_connector(
    root_cert: Option<&str>,
) -> Result<tokio_postgres_rustls::MakeRustlsConnect, String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::CertificateDer;
    use rustls_platform_verifier::BuilderVerifierExt;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup failed: {e}"))?;
    let config = match root_cert {
        Some(path) => {
            let mut roots = rustls::RootCertStore::empty();
            let certs = CertificateDer::pem_file_iter(path)
                .map_err(|e| format!("sslrootcert `{path}`: {e}"))?;
            for cert in certs {
                let cert = cert.map_err(|e| format!("sslrootcert `{path}`: {e}"))?;
                roots
                    .add(cert)
                    .map_err(|e| format!("sslrootcert `{path}`: {e}"))?;
            }
            if roots.is_empty() {
                return Err(format!("sslrootcert `{path}` holds no certificate"));
            }
            builder.with_root_certificates(roots).with_no_client_auth()
        }
        None => builder
            .with_platform_verifier()
            .map_err(|e| format!("TLS setup failed: {e}"))?
            .with_no_client_auth(),
    };
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// An instant as fixed-width RFC 3339 text (nine fractional digits), as in the SQLite backend.
fn fixed_time(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string()
}

/// Epoch microseconds, floored.
fn micros(t: &DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

fn corrupt(table: &str, message: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        table: table.to_string(),
        message: message.into(),
    }
}

fn parse_time(table: &str, text: &str) -> StoreResult<DateTime<Utc>> {
    parse_datetime(text).map_err(|e| corrupt(table, e))
}

fn parse_json(table: &str, text: &str) -> StoreResult<serde_json::Value> {
    serde_json::from_str(text).map_err(|e| corrupt(table, format!("bad JSON: {e}")))
}

impl Inner {
    fn be(&self) -> impl Fn(tokio_postgres::Error) -> StoreError + '_ {
        move |e| backend_error(&self.backend, pg_message(&e))
    }

    /// A connection from the pool, or a new one.
    async fn conn(&self) -> StoreResult<Conn<'_>> {
        loop {
            let pooled = self.idle.lock().ok().and_then(|mut v| v.pop());
            match pooled {
                Some(c) if c.is_closed() => continue,
                Some(c) => {
                    return Ok(Conn {
                        client: Some(c),
                        inner: self,
                    })
                }
                None => break,
            }
        }
        let cannot = |e: tokio_postgres::Error| {
            backend_error(&self.backend, format!("cannot connect: {}", pg_message(&e)))
        };
        // The connection task ends when the client is dropped or the server goes away; the pool
        // then sees `is_closed()` and discards the client.
        let client = match &self.tls {
            None => {
                let (client, connection) = self.config.connect(NoTls).await.map_err(cannot)?;
                tokio::spawn(async move {
                    let _ = connection.await;
                });
                client
            }
            Some(tls) => {
                let (client, connection) =
                    self.config.connect(tls.clone()).await.map_err(cannot)?;
                tokio::spawn(async move {
                    let _ = connection.await;
                });
                client
            }
        };
        if let Some(schema) = &self.schema {
            // `CREATE SCHEMA IF NOT EXISTS` is not safe against itself: two connections creating
            // the same schema at once can both pass the check and one fails on the catalogue's
            // unique index. So look first (no lock in the common case) and create under an
            // advisory lock only when it is missing.
            let exists: bool = client
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)",
                    &[schema],
                )
                .await
                .map_err(self.be())?
                .get(0);
            let s = schema::ident(schema);
            let sql = if exists {
                format!("SET search_path TO {s}")
            } else {
                format!(
                    "BEGIN; SELECT pg_advisory_xact_lock({SCHEMA_LOCK}); \
                     CREATE SCHEMA IF NOT EXISTS {s}; COMMIT; SET search_path TO {s}"
                )
            };
            client.batch_execute(&sql).await.map_err(self.be())?;
        }
        Ok(Conn {
            client: Some(client),
            inner: self,
        })
    }

    async fn migrate(&self) -> StoreResult<u32> {
        let be = self.be();
        let supported = schema::latest_version();
        let mut conn = self.conn().await?;
        let tx = conn.transaction().await.map_err(&be)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await
            .map_err(&be)?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                 version BIGINT PRIMARY KEY,
                 description TEXT NOT NULL,
                 applied_at TEXT NOT NULL
             )",
        )
        .await
        .map_err(&be)?;
        let current: i64 = tx
            .query_one(
                "SELECT COALESCE(MAX(version), 0)::int8 FROM schema_migrations",
                &[],
            )
            .await
            .map_err(&be)?
            .get(0);
        let current = u32::try_from(current).map_err(|_| {
            corrupt(
                "schema_migrations",
                format!("version {current} is out of range"),
            )
        })?;
        if current > supported {
            return Err(StoreError::SchemaTooNew {
                found: current,
                supported,
            });
        }
        for m in schema::MIGRATIONS.iter().filter(|m| m.version > current) {
            tx.batch_execute(&(m.sql)()).await.map_err(&be)?;
            if m.version == schema::TYPED_RESULTS {
                results::migrate_legacy(&tx, &self.backend).await?;
            }
            tx.execute(
                "INSERT INTO schema_migrations (version, description, applied_at)
                 VALUES ($1, $2, $3)",
                &[
                    &i64::from(m.version),
                    &m.description,
                    &fixed_time(&Utc::now()),
                ],
            )
            .await
            .map_err(&be)?;
        }
        // Result tables a later release added to the catalog are created here; existing ones
        // must have this release's columns.
        results::ensure_tables(&tx, &self.backend).await?;
        tx.commit().await.map_err(&be)?;
        Ok(supported.max(current))
    }
}

/// One column of a batch, as a typed array parameter.
enum Column {
    Text(Vec<Option<String>>),
    Float(Vec<Option<f64>>),
    Int(Vec<Option<i64>>),
    Bool(Vec<Option<bool>>),
}

impl Column {
    fn new(kind: ColumnKind, cap: usize) -> Column {
        match kind {
            ColumnKind::Float => Column::Float(Vec::with_capacity(cap)),
            ColumnKind::Int => Column::Int(Vec::with_capacity(cap)),
            ColumnKind::Bool => Column::Bool(Vec::with_capacity(cap)),
            _ => Column::Text(Vec::with_capacity(cap)),
        }
    }

    /// Append a value (a missing key part is `''`). Errors name the mismatch.
    fn push(&mut self, v: &Value, is_key: bool) -> Result<(), String> {
        match (self, v) {
            (Column::Text(c), Value::Null) => c.push(is_key.then(String::new)),
            (Column::Float(c), Value::Null) => c.push(None),
            (Column::Int(c), Value::Null) => c.push(None),
            (Column::Bool(c), Value::Null) => c.push(None),
            (Column::Float(c), Value::Float(x)) => c.push(Some(*x)),
            (Column::Float(c), Value::Int(i)) => c.push(Some(*i as f64)),
            (Column::Int(c), Value::Int(i)) => c.push(Some(*i)),
            (Column::Bool(c), Value::Bool(b)) => c.push(Some(*b)),
            (Column::Text(c), v) => c.push(v.to_text()),
            (_, v) => return Err(format!("value {v:?} does not fit the column type")),
        }
        Ok(())
    }

    fn clear(&mut self) {
        match self {
            Column::Text(c) => c.clear(),
            Column::Float(c) => c.clear(),
            Column::Int(c) => c.clear(),
            Column::Bool(c) => c.clear(),
        }
    }

    fn as_param(&self) -> &(dyn ToSql + Sync) {
        match self {
            Column::Text(c) => c,
            Column::Float(c) => c,
            Column::Int(c) => c,
            Column::Bool(c) => c,
        }
    }
}

/// One table's upsert: name, SQL, and chunks of column arrays (`_t` last) with their row counts.
type TablePlan = (String, String, Vec<(Vec<Column>, usize)>);

/// Decodes one row's text fields into a batch, if its time is in the range.
type DecodeFn = fn(&[Option<&str>], TimeRange, &mut Tables) -> Result<(), String>;

/// Collects the batch's rows per table for the upsert (no I/O: the visitor is synchronous).
struct Prepare<'a> {
    batch: &'a Tables,
    /// Per table: (name, SQL, chunks of column arrays with `_t` last, rows in each chunk).
    plans: Vec<TablePlan>,
}

impl TableVisitor for Prepare<'_> {
    type Error = StoreError;
    fn visit<R: Record>(&mut self) -> StoreResult<()> {
        let rows = R::rows(self.batch);
        let name = R::TABLE.name().to_string();
        let cols = R::columns();
        let is_key: Vec<bool> = cols.iter().map(schema::is_key::<R>).collect();
        let fresh = |n: usize| -> Vec<Column> {
            let mut v: Vec<Column> = cols.iter().map(|c| Column::new(c.kind, n)).collect();
            if schema::has_time::<R>() {
                v.push(Column::Int(Vec::with_capacity(n)));
            }
            v
        };
        let mut chunks = Vec::new();
        let mut current = fresh(rows.len().min(CHUNK_ROWS));
        let mut n = 0usize;
        let mut keys: HashSet<String> = HashSet::new();
        for (row_idx, r) in rows.iter().enumerate() {
            // A key seen twice in one statement is an error in PostgreSQL; start a new chunk so
            // the later row updates the earlier one, as sequential upserts would.
            let key = r.key();
            if n == CHUNK_ROWS || keys.contains(&key) {
                let full = std::mem::replace(&mut current, fresh(CHUNK_ROWS));
                chunks.push((full, n));
                n = 0;
                keys.clear();
            }
            for (i, v) in r.to_values().iter().enumerate() {
                let Some(col) = current.get_mut(i) else {
                    return Err(corrupt(&name, "row has more values than columns"));
                };
                col.push(v, is_key.get(i).copied().unwrap_or(false))
                    .map_err(|m| {
                        StoreError::Validation(CoreError::validation(
                            &name,
                            Some(row_idx + 1),
                            cols.get(i).map(|c| c.name),
                            m,
                        ))
                    })?;
            }
            if let Some(time) = r.time() {
                match current.get_mut(cols.len()) {
                    Some(Column::Int(t)) => t.push(Some(time.timestamp_micros())),
                    _ => return Err(corrupt(&name, "no time shadow column to fill")),
                }
            }
            keys.insert(key);
            n += 1;
        }
        if n > 0 {
            chunks.push((current, n));
        } else {
            for c in &mut current {
                c.clear();
            }
        }
        self.plans.push((name, schema::upsert_sql::<R>(), chunks));
        Ok(())
    }
}

/// Builds the `SELECT` of one table (synchronous part of a read).
struct SelectOf {
    table: Table,
    /// Columns a database at an older schema does not have yet (read as `NULL`).
    absent: Vec<&'static str>,
    sql: String,
    kinds: Vec<ColumnKind>,
    decode: Option<DecodeFn>,
}

impl TableVisitor for SelectOf {
    type Error = std::convert::Infallible;
    fn visit<R: Record>(&mut self) -> Result<(), Self::Error> {
        if R::TABLE != self.table {
            return Ok(());
        }
        self.sql = schema::select_sql::<R>(&self.absent);
        self.kinds = R::columns().iter().map(|c| c.kind).collect();
        fn decode<R: Record>(
            fields: &[Option<&str>],
            range: TimeRange,
            out: &mut Tables,
        ) -> Result<(), String> {
            let rec =
                R::from_fields(fields).map_err(|(col, msg)| format!("column `{col}`: {msg}"))?;
            if range.admits(rec.time()) {
                R::rows_mut(out).push(rec);
            }
            Ok(())
        }
        self.decode = Some(decode::<R>);
        Ok(())
    }
}

fn sort_rows(table: Table, out: &mut Tables) {
    struct Sorter<'a>(Table, &'a mut Tables);
    impl TableVisitor for Sorter<'_> {
        type Error = std::convert::Infallible;
        fn visit<R: Record>(&mut self) -> Result<(), Self::Error> {
            if R::TABLE == self.0 {
                R::rows_mut(self.1).sort_by_cached_key(|r| r.key());
            }
            Ok(())
        }
    }
    let _ = visit_tables(&mut Sorter(table, out));
}

const OUTBOX_COLUMNS: &str = "dedupe_key, kind, severity, title, body, payload, created_at,
     status, attempts, last_error, next_attempt_at, sent_at";

/// Decode one `notifications` row (columns as in [`OUTBOX_COLUMNS`]).
fn outbox_item(r: &tokio_postgres::Row) -> StoreResult<OutboxItem> {
    const T: &str = "notifications";
    let get_err = |e: tokio_postgres::Error| corrupt(T, pg_message(&e));
    let dedupe_key: String = r.try_get(0).map_err(get_err)?;
    let kind: String = r.try_get(1).map_err(get_err)?;
    let severity: String = r.try_get(2).map_err(get_err)?;
    let title: String = r.try_get(3).map_err(get_err)?;
    let body: String = r.try_get(4).map_err(get_err)?;
    let payload: String = r.try_get(5).map_err(get_err)?;
    let created_at: String = r.try_get(6).map_err(get_err)?;
    let status: String = r.try_get(7).map_err(get_err)?;
    let attempts: i64 = r.try_get(8).map_err(get_err)?;
    let last_error: Option<String> = r.try_get(9).map_err(get_err)?;
    let next_attempt_at: Option<String> = r.try_get(10).map_err(get_err)?;
    let sent_at: Option<String> = r.try_get(11).map_err(get_err)?;
    Ok(OutboxItem {
        notification: Notification {
            dedupe_key,
            kind,
            severity: Severity::parse(&severity)
                .ok_or_else(|| corrupt(T, format!("unknown severity {severity:?}")))?,
            title,
            body,
            payload: parse_json(T, &payload)?,
            created_at: parse_time(T, &created_at)?,
        },
        status: OutboxStatus::parse(&status)
            .ok_or_else(|| corrupt(T, format!("unknown status {status:?}")))?,
        attempts: u32::try_from(attempts)
            .map_err(|_| corrupt(T, format!("attempts {attempts} out of range")))?,
        last_error,
        next_attempt_at: next_attempt_at
            .as_deref()
            .map(|t| parse_time(T, t))
            .transpose()?,
        delivered_to: Vec::new(),
        sent_at: sent_at.as_deref().map(|t| parse_time(T, t)).transpose()?,
    })
}

/// Fill `delivered_to` of `items` from the `deliveries` rows of their keys.
async fn attach_deliveries(
    tx: &tokio_postgres::Transaction<'_>,
    items: &mut [OutboxItem],
    be: &impl Fn(tokio_postgres::Error) -> StoreError,
) -> StoreResult<()> {
    if items.is_empty() {
        return Ok(());
    }
    let keys: Vec<&str> = items
        .iter()
        .map(|i| i.notification.dedupe_key.as_str())
        .collect();
    let rows = tx
        .query(
            "SELECT dedupe_key, channel FROM deliveries WHERE dedupe_key = ANY($1) ORDER BY id",
            &[&keys],
        )
        .await
        .map_err(be)?;
    let mut delivered: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in rows {
        let key: String = r.get(0);
        let channel: String = r.get(1);
        let list = delivered.entry(key).or_default();
        if !list.contains(&channel) {
            list.push(channel);
        }
    }
    for item in items {
        if let Some(list) = delivered.remove(&item.notification.dedupe_key) {
            item.delivered_to = list;
        }
    }
    Ok(())
}

/// Rows of one input table in `range`, read with `client` (a connection, or a transaction such
/// as a migration's), sorted by natural key.
pub(crate) async fn read_on(
    client: &impl GenericClient,
    table: Table,
    range: TimeRange,
    backend: &str,
) -> StoreResult<Tables> {
    read_at(client, table, range, u32::MAX, backend).await
}

/// As [`read_on`] inside the migration to schema `version`: the columns added by later
/// migrations read as `NULL`.
pub(crate) async fn read_at(
    client: &impl GenericClient,
    table: Table,
    range: TimeRange,
    version: u32,
    backend: &str,
) -> StoreResult<Tables> {
    let be = |e: tokio_postgres::Error| backend_error(backend, pg_message(&e));
    let mut sel = SelectOf {
        table,
        absent: edupulse_store::sql::added_after(table, version),
        sql: String::new(),
        kinds: Vec::new(),
        decode: None,
    };
    let _ = visit_tables(&mut sel);
    let Some(decode) = sel.decode else {
        return Ok(Tables::default());
    };
    let name = table.name();
    let start = range.start.map(|t| t.timestamp_micros());
    let end = range.end.map(|t| t.timestamp_micros());
    let rows = client.query(&sel.sql, &[&start, &end]).await.map_err(&be)?;
    let mut out = Tables::default();
    let mut texts: Vec<Option<String>> = Vec::with_capacity(sel.kinds.len());
    let get_err = |e: tokio_postgres::Error| corrupt(name, pg_message(&e));
    for row in &rows {
        texts.clear();
        for (i, kind) in sel.kinds.iter().enumerate() {
            let text = match kind {
                ColumnKind::Float => row
                    .try_get::<_, Option<f64>>(i)
                    .map_err(get_err)?
                    .map(|x| format!("{x}")),
                ColumnKind::Int => row
                    .try_get::<_, Option<i64>>(i)
                    .map_err(get_err)?
                    .map(|x| x.to_string()),
                ColumnKind::Bool => row
                    .try_get::<_, Option<bool>>(i)
                    .map_err(get_err)?
                    .map(|x| x.to_string()),
                _ => row.try_get::<_, Option<String>>(i).map_err(get_err)?,
            };
            texts.push(text);
        }
        let fields: Vec<Option<&str>> = texts.iter().map(|t| t.as_deref()).collect();
        decode(&fields, range, &mut out).map_err(|m| corrupt(name, m))?;
    }
    sort_rows(table, &mut out);
    Ok(out)
}

#[async_trait]
impl Store for PostgresStore {
    fn describe(&self) -> String {
        match &self.inner.schema {
            Some(s) => format!("{}?schema={s}", self.inner.backend),
            None => self.inner.backend.clone(),
        }
    }

    async fn schema_version(&self) -> StoreResult<u32> {
        Ok(self.inner.version)
    }

    async fn ingest(&self, batch: &Tables) -> StoreResult<IngestReport> {
        let inner = &self.inner;
        let be = inner.be();
        let mut prep = Prepare {
            batch,
            plans: Vec::new(),
        };
        visit_tables(&mut prep)?;
        let mut conn = inner.conn().await?;
        let tx = conn.transaction().await.map_err(&be)?;
        let mut report = IngestReport::default();
        for (name, sql, chunks) in &prep.plans {
            let received: usize = chunks.iter().map(|(_, n)| n).sum();
            let mut written = 0u64;
            if !chunks.is_empty() {
                let stmt = tx.prepare(sql).await.map_err(&be)?;
                for (cols, _) in chunks {
                    let params: Vec<&(dyn ToSql + Sync)> =
                        cols.iter().map(Column::as_param).collect();
                    written += tx.execute(&stmt, &params).await.map_err(&be)?;
                }
            }
            report.received.insert(name.clone(), received as u64);
            report.written.insert(name.clone(), written);
        }
        tx.commit().await.map_err(&be)?;
        Ok(report)
    }

    async fn read(&self, table: Table, range: TimeRange) -> StoreResult<Tables> {
        let conn = self.inner.conn().await?;
        read_on(&*conn, table, range, &self.inner.backend).await
    }

    async fn counts(&self) -> StoreResult<BTreeMap<String, u64>> {
        let inner = &self.inner;
        let be = inner.be();
        let names: Vec<&str> = Table::ALL
            .iter()
            .map(|t| t.name())
            .chain(["runs", "notifications"])
            .chain(edupulse_core::results::catalog().iter().map(|s| s.name))
            .collect();
        // One statement: every count comes from the same snapshot.
        let sql = names
            .iter()
            .map(|n| format!("(SELECT COUNT(*) FROM {})", schema::ident(n)))
            .collect::<Vec<_>>()
            .join(", ");
        let conn = inner.conn().await?;
        let row = conn
            .query_one(&format!("SELECT {sql}"), &[])
            .await
            .map_err(&be)?;
        let mut out = BTreeMap::new();
        for (i, n) in names.iter().enumerate() {
            let c: i64 = row.try_get(i).map_err(&be)?;
            out.insert(n.to_string(), u64::try_from(c).unwrap_or(0));
        }
        Ok(out)
    }

    async fn write_run(&self, run: &RunOutput) -> StoreResult<()> {
        let inner = &self.inner;
        let be = inner.be();
        let json = |v: &serde_json::Value| {
            serde_json::to_string(v).map_err(|e| backend_error(&inner.backend, e.to_string()))
        };
        edupulse_store::check_run(run)?;
        let mut conn = inner.conn().await?;
        let tx = conn.transaction().await.map_err(&be)?;
        results::lock_results(&tx, &inner.backend).await?;
        // 1. Results: each set replaces what its table had for the run's as_of.
        for set in &run.results {
            results::write_set(&tx, set, &inner.backend).await?;
        }
        // 2. The outbox: keys already there are ignored; the CHECK on dedupe_key fails the
        //    whole transaction for an empty key.
        let notify = tx
            .prepare(
                "INSERT INTO notifications
                   (dedupe_key, kind, severity, title, body, payload, created_at, status)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending')
                 ON CONFLICT (dedupe_key) DO NOTHING",
            )
            .await
            .map_err(&be)?;
        for n in &run.notifications {
            tx.execute(
                &notify,
                &[
                    &n.dedupe_key,
                    &n.kind,
                    &n.severity.as_str(),
                    &n.title,
                    &n.body,
                    &json(&n.payload)?,
                    &fixed_time(&n.created_at),
                ],
            )
            .await
            .map_err(&be)?;
        }
        // 3. The run record.
        tx.execute(
            "INSERT INTO runs (as_of, as_of_us, written_at, summary) VALUES ($1, $2, $3, $4)
             ON CONFLICT (as_of) DO UPDATE SET written_at = EXCLUDED.written_at,
                                               summary = EXCLUDED.summary",
            &[
                &fixed_time(&run.as_of),
                &micros(&run.as_of),
                &fixed_time(&Utc::now()),
                &json(&run.summary)?,
            ],
        )
        .await
        .map_err(&be)?;
        tx.commit().await.map_err(&be)?;
        Ok(())
    }

    async fn results(&self, table: &str, as_of: Option<DateTime<Utc>>) -> StoreResult<ResultSet> {
        let spec = edupulse_store::result_spec(table)?;
        let inner = &self.inner;
        let conn = inner.conn().await?;
        results::read_set(&*conn, spec, as_of, &inner.backend).await
    }

    async fn runs(&self) -> StoreResult<Vec<RunRecord>> {
        let inner = &self.inner;
        let be = inner.be();
        let conn = inner.conn().await?;
        let rows = conn
            .query(
                "SELECT as_of, written_at, summary FROM runs ORDER BY as_of_us, as_of COLLATE \"C\"",
                &[],
            )
            .await
            .map_err(&be)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let as_of: String = r.try_get(0).map_err(&be)?;
            let written_at: String = r.try_get(1).map_err(&be)?;
            let summary: String = r.try_get(2).map_err(&be)?;
            out.push(RunRecord {
                as_of: parse_time("runs", &as_of)?,
                written_at: parse_time("runs", &written_at)?,
                summary: parse_json("runs", &summary)?,
            });
        }
        Ok(out)
    }

    async fn outbox(&self, pending_only: bool) -> StoreResult<Vec<OutboxItem>> {
        let inner = &self.inner;
        let be = inner.be();
        let mut conn = inner.conn().await?;
        let tx = conn
            .build_transaction()
            .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await
            .map_err(&be)?;
        let rows = tx
            .query(
                &format!(
                    "SELECT {OUTBOX_COLUMNS} FROM notifications
                     WHERE (NOT $1 OR status = 'pending') ORDER BY seq"
                ),
                &[&pending_only],
            )
            .await
            .map_err(&be)?;
        let mut items = rows
            .iter()
            .map(outbox_item)
            .collect::<StoreResult<Vec<_>>>()?;
        attach_deliveries(&tx, &mut items, &be).await?;
        tx.commit().await.map_err(&be)?;
        Ok(items)
    }

    async fn record_delivery(&self, a: &DeliveryAttempt) -> StoreResult<()> {
        let inner = &self.inner;
        let be = inner.be();
        let mut conn = inner.conn().await?;
        let tx = conn.transaction().await.map_err(&be)?;
        let exists = tx
            .query_opt(
                "SELECT 1 FROM notifications WHERE dedupe_key = $1 FOR UPDATE",
                &[&a.dedupe_key],
            )
            .await
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
                    "INSERT INTO deliveries (dedupe_key, channel, at, at_us) VALUES ($1, $2, $3, $4)",
                    &[&a.dedupe_key, &a.channel, &fixed_time(&a.at), &micros(&a.at)],
                )
                .await
                .map_err(&be)?;
                if a.completes {
                    tx.execute(
                        "UPDATE notifications SET status = 'sent', sent_at = $2,
                                next_attempt_at = NULL
                         WHERE dedupe_key = $1",
                        &[&a.dedupe_key, &fixed_time(&a.at)],
                    )
                    .await
                    .map_err(&be)?;
                }
            }
            Some(err) => {
                let retry_at = a.retry_at.as_ref().map(fixed_time);
                tx.execute(
                    "UPDATE notifications SET attempts = attempts + 1, last_error = $2,
                            next_attempt_at = $3,
                            status = CASE WHEN $3::text IS NULL THEN 'failed' ELSE status END
                     WHERE dedupe_key = $1",
                    &[&a.dedupe_key, err, &retry_at],
                )
                .await
                .map_err(&be)?;
            }
        }
        tx.commit().await.map_err(&be)?;
        Ok(())
    }

    async fn export_fixed(&self) -> StoreResult<FixedTables> {
        let inner = &self.inner;
        let be = inner.be();
        let mut conn = inner.conn().await?;
        let tx = conn
            .build_transaction()
            .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await
            .map_err(&be)?;
        let mut out = FixedTables {
            results: results::read_all_sets(&tx, &inner.backend).await?,
            legacy_results: results::read_legacy(&tx, &inner.backend).await?,
            ..FixedTables::default()
        };
        for r in tx
            .query(
                "SELECT as_of, as_of_us, written_at, summary FROM runs
                 ORDER BY as_of COLLATE \"C\"",
                &[],
            )
            .await
            .map_err(&be)?
        {
            out.runs.push(RunRow {
                as_of: r.try_get(0).map_err(&be)?,
                as_of_us: r.try_get(1).map_err(&be)?,
                written_at: r.try_get(2).map_err(&be)?,
                summary: r.try_get(3).map_err(&be)?,
            });
        }
        for r in tx
            .query(
                &format!("SELECT seq, {OUTBOX_COLUMNS} FROM notifications ORDER BY seq"),
                &[],
            )
            .await
            .map_err(&be)?
        {
            out.notifications.push(NotificationRow {
                seq: r.try_get(0).map_err(&be)?,
                dedupe_key: r.try_get(1).map_err(&be)?,
                kind: r.try_get(2).map_err(&be)?,
                severity: r.try_get(3).map_err(&be)?,
                title: r.try_get(4).map_err(&be)?,
                body: r.try_get(5).map_err(&be)?,
                payload: r.try_get(6).map_err(&be)?,
                created_at: r.try_get(7).map_err(&be)?,
                status: r.try_get(8).map_err(&be)?,
                attempts: r.try_get(9).map_err(&be)?,
                last_error: r.try_get(10).map_err(&be)?,
                next_attempt_at: r.try_get(11).map_err(&be)?,
                sent_at: r.try_get(12).map_err(&be)?,
            });
        }
        for r in tx
            .query(
                "SELECT id, dedupe_key, channel, at, at_us FROM deliveries ORDER BY id",
                &[],
            )
            .await
            .map_err(&be)?
        {
            out.deliveries.push(DeliveryRow {
                id: r.try_get(0).map_err(&be)?,
                dedupe_key: r.try_get(1).map_err(&be)?,
                channel: r.try_get(2).map_err(&be)?,
                at: r.try_get(3).map_err(&be)?,
                at_us: r.try_get(4).map_err(&be)?,
            });
        }
        tx.commit().await.map_err(&be)?;
        Ok(out)
    }

    async fn import_fixed(&self, t: &FixedTables) -> StoreResult<()> {
        let inner = &self.inner;
        let be = inner.be();
        let mut conn = inner.conn().await?;
        let tx = conn.transaction().await.map_err(&be)?;
        results::lock_results(&tx, &inner.backend).await?;
        for set in &t.results {
            edupulse_store::result_spec(set.spec.name)?;
            set.check()?;
            results::write_set(&tx, set, &inner.backend).await?;
        }
        results::write_legacy(&tx, &t.legacy_results, &inner.backend).await?;
        let st = tx
            .prepare(
                "INSERT INTO runs (as_of, as_of_us, written_at, summary) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (as_of) DO UPDATE SET written_at = EXCLUDED.written_at,
                     summary = EXCLUDED.summary",
            )
            .await
            .map_err(&be)?;
        for r in &t.runs {
            tx.execute(&st, &[&r.as_of, &r.as_of_us, &r.written_at, &r.summary])
                .await
                .map_err(&be)?;
        }
        let st = tx
            .prepare(
                "INSERT INTO notifications (seq, dedupe_key, kind, severity, title, body, payload,
                     created_at, status, attempts, last_error, next_attempt_at, sent_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                 ON CONFLICT (dedupe_key) DO UPDATE SET status = EXCLUDED.status,
                     attempts = EXCLUDED.attempts, last_error = EXCLUDED.last_error,
                     next_attempt_at = EXCLUDED.next_attempt_at, sent_at = EXCLUDED.sent_at",
            )
            .await
            .map_err(&be)?;
        for n in &t.notifications {
            tx.execute(
                &st,
                &[
                    &n.seq,
                    &n.dedupe_key,
                    &n.kind,
                    &n.severity,
                    &n.title,
                    &n.body,
                    &n.payload,
                    &n.created_at,
                    &n.status,
                    &n.attempts,
                    &n.last_error,
                    &n.next_attempt_at,
                    &n.sent_at,
                ],
            )
            .await
            .map_err(&be)?;
        }
        let st = tx
            .prepare(
                "INSERT INTO deliveries (id, dedupe_key, channel, at, at_us)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING",
            )
            .await
            .map_err(&be)?;
        for d in &t.deliveries {
            tx.execute(&st, &[&d.id, &d.dedupe_key, &d.channel, &d.at, &d.at_us])
                .await
                .map_err(&be)?;
        }
        // New rows continue after the restored ones.
        tx.batch_execute(
            "SELECT setval(pg_get_serial_sequence('notifications', 'seq'),
                           GREATEST((SELECT MAX(seq) FROM notifications), 1));
             SELECT setval(pg_get_serial_sequence('deliveries', 'id'),
                           GREATEST((SELECT MAX(id) FROM deliveries), 1));",
        )
        .await
        .map_err(&be)?;
        tx.commit().await.map_err(&be)?;
        Ok(())
    }

    async fn claim_outbox(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> StoreResult<Vec<OutboxItem>> {
        self.claim_outbox_as(&Claimant::new(worker), now, lease)
            .await
    }

    async fn heartbeat(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> StoreResult<bool> {
        let inner = &self.inner;
        let be = inner.be();
        let now_us = micros(&now);
        let until = now_us.saturating_add(i64::try_from(lease.as_micros()).unwrap_or(i64::MAX));
        let conn = inner.conn().await?;
        let held: bool = conn
            .query_one(
                "WITH beat AS (
                     UPDATE notifications SET heartbeat_us = $2, claimed_until_us = $3
                     WHERE claimed_by = $1 RETURNING status)
                 SELECT EXISTS (SELECT 1 FROM beat WHERE status = 'pending')",
                &[&worker, &now_us, &until],
            )
            .await
            .map_err(&be)?
            .get(0);
        Ok(held)
    }

    async fn claim_holders(&self, now: DateTime<Utc>) -> StoreResult<Vec<ClaimHolder>> {
        let inner = &self.inner;
        let be = inner.be();
        let now_us = micros(&now);
        let conn = inner.conn().await?;
        let rows = conn
            .query(
                "SELECT claimed_by, claim_host, claim_pid, MAX(claimed_until_us),
                        MAX(heartbeat_us)
                 FROM notifications
                 WHERE status = 'pending' AND claimed_by IS NOT NULL AND claimed_until_us > $1
                 GROUP BY claimed_by, claim_host, claim_pid
                 ORDER BY claimed_by",
                &[&now_us],
            )
            .await
            .map_err(&be)?;
        let at = |us: i64| {
            DateTime::<Utc>::from_timestamp_micros(us).unwrap_or(if us < 0 {
                DateTime::<Utc>::MIN_UTC
            } else {
                DateTime::<Utc>::MAX_UTC
            })
        };
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let pid: Option<i64> = r.try_get(2).map_err(&be)?;
            let until: i64 = r.try_get(3).map_err(&be)?;
            let beat: Option<i64> = r.try_get(4).map_err(&be)?;
            out.push(ClaimHolder {
                worker: r.try_get(0).map_err(&be)?,
                host: r.try_get(1).map_err(&be)?,
                pid: pid.and_then(|p| u32::try_from(p).ok()),
                claimed_until: at(until),
                heartbeat_at: beat.map(at),
            });
        }
        Ok(out)
    }

    async fn claim_outbox_as(
        &self,
        claimant: &Claimant,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> StoreResult<Vec<OutboxItem>> {
        let worker = claimant.worker.as_str();
        let pid = claimant.pid.map(i64::from);
        let inner = &self.inner;
        let be = inner.be();
        let lease_us = i64::try_from(lease.as_micros()).unwrap_or(i64::MAX);
        let now_us = micros(&now);
        let until = now_us.saturating_add(lease_us);
        let mut conn = inner.conn().await?;
        let tx = conn.transaction().await.map_err(&be)?;
        // One claim at a time (the mode conflicts with itself, and with writers for the instant
        // of the claim): the check for another worker's live claim and the claim are atomic.
        tx.batch_execute("LOCK TABLE notifications IN SHARE ROW EXCLUSIVE MODE")
            .await
            .map_err(&be)?;
        let busy: bool = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM notifications
                 WHERE status = 'pending' AND claimed_by IS NOT NULL AND claimed_by <> $1
                   AND claimed_until_us > $2)",
                &[&worker, &now_us],
            )
            .await
            .map_err(&be)?
            .get(0);
        if busy {
            tx.commit().await.map_err(&be)?;
            return Ok(Vec::new());
        }
        // Row locks on top: a row locked by another transaction is skipped, and a row another
        // worker claimed (and committed) no longer matches the filter.
        let claimed = tx
            .query(
                "UPDATE notifications SET claimed_by = $1, claimed_until_us = $2,
                        claim_host = $4, claim_pid = $5, heartbeat_us = $3
                 WHERE seq IN (
                     SELECT seq FROM notifications
                     WHERE status = 'pending'
                       AND (claimed_by IS NULL OR claimed_by = $1 OR claimed_until_us <= $3)
                     ORDER BY seq
                     FOR UPDATE SKIP LOCKED)
                 RETURNING seq",
                &[&worker, &until, &now_us, &claimant.host, &pid],
            )
            .await
            .map_err(&be)?;
        let seqs: Vec<i64> = claimed.iter().map(|r| r.get(0)).collect();
        let rows = tx
            .query(
                &format!(
                    "SELECT {OUTBOX_COLUMNS} FROM notifications WHERE seq = ANY($1) ORDER BY seq"
                ),
                &[&seqs],
            )
            .await
            .map_err(&be)?;
        let mut items = rows
            .iter()
            .map(outbox_item)
            .collect::<StoreResult<Vec<_>>>()?;
        attach_deliveries(&tx, &mut items, &be).await?;
        tx.commit().await.map_err(&be)?;
        Ok(items)
    }

    async fn release_claims(&self, worker: &str) -> StoreResult<()> {
        let inner = &self.inner;
        let conn = inner.conn().await?;
        conn.execute(
            "UPDATE notifications SET claimed_by = NULL, claimed_until_us = NULL,
                    claim_host = NULL, claim_pid = NULL, heartbeat_us = NULL
             WHERE claimed_by = $1",
            &[&worker],
        )
        .await
        .map_err(inner.be())?;
        Ok(())
    }

    async fn delivered_since(&self, channel: &str, since: DateTime<Utc>) -> StoreResult<u64> {
        let inner = &self.inner;
        let conn = inner.conn().await?;
        let n: i64 = conn
            .query_one(
                "SELECT COUNT(*) FROM deliveries
                 WHERE channel = $1 AND (at_us > $2 OR (at_us = $2 AND at >= $3))",
                &[&channel, &micros(&since), &fixed_time(&since)],
            )
            .await
            .map_err(inner.be())?
            .get(0);
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

#[cfg(test)]
mod upgrade_tests {
    //! Upgrading a store written by the release before typed result tables (schema v3), and
    //! refusing one written by a newer release.
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::testing::{test_url, unique_schema, with_schema};
    use edupulse_core::results::legacy::LegacyRow;
    use edupulse_store::conformance;

    /// A raw client on `url` (no edupulse migration) with `search_path` set to `schema`.
    async fn raw(url: &str, schema: &str) -> Client {
        let config: tokio_postgres::Config = url.parse().unwrap();
        let (client, conn) = config.connect(NoTls).await.unwrap();
        tokio::spawn(async move {
            let _ = conn.await;
        });
        let s = schema::ident(schema);
        client
            .batch_execute(&format!(
                "CREATE SCHEMA IF NOT EXISTS {s}; SET search_path TO {s}"
            ))
            .await
            .unwrap();
        client
    }

    /// Schema `schema` at v3 (the previous release) holding `old` in `results` and `webinars`.
    async fn old_store(url: &str, schema: &str, old: &[LegacyRow], webinars: &Tables) {
        let mut client = raw(url, schema).await;
        let tx = client.transaction().await.unwrap();
        tx.batch_execute(
            "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY,
             description TEXT NOT NULL, applied_at TEXT NOT NULL)",
        )
        .await
        .unwrap();
        for m in schema::MIGRATIONS
            .iter()
            .filter(|m| m.version < schema::TYPED_RESULTS)
        {
            tx.batch_execute(&(m.sql)()).await.unwrap();
            tx.execute(
                "INSERT INTO schema_migrations VALUES ($1, $2, 'then')",
                &[&i64::from(m.version), &m.description],
            )
            .await
            .unwrap();
        }
        // Today's writer writes every column: the columns added after v3 exist while it writes
        // the rows and are dropped again, which leaves the v3 layout.
        let added = edupulse_store::sql::ADDED_COLUMNS;
        for (t, c, _) in added {
            let sql = format!("ALTER TABLE {} ADD COLUMN {c} TEXT", t.name());
            tx.batch_execute(&sql).await.unwrap();
        }
        let mut prep = Prepare {
            batch: webinars,
            plans: Vec::new(),
        };
        visit_tables(&mut prep).unwrap();
        for (_, sql, chunks) in &prep.plans {
            for (cols, _) in chunks {
                let params: Vec<&(dyn ToSql + Sync)> = cols.iter().map(Column::as_param).collect();
                tx.execute(sql.as_str(), &params).await.unwrap();
            }
        }
        for (t, c, _) in added {
            let sql = format!("ALTER TABLE {} DROP COLUMN {c}", t.name());
            tx.batch_execute(&sql).await.unwrap();
        }
        for r in old {
            tx.execute(
                "INSERT INTO results (table_name, as_of, as_of_us, key, data)
                 VALUES ($1, $2, $3, $4, $5)",
                &[
                    &r.table,
                    &fixed_time(&r.as_of),
                    &micros(&r.as_of),
                    &r.key,
                    &r.data.to_string(),
                ],
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
    }

    /// Tables, views and columns of `schema`, and its migrations.
    async fn dump(url: &str, schema: &str) -> Vec<String> {
        let client = raw(url, schema).await;
        let mut out: Vec<String> = client
            .query(
                "SELECT table_name::text || '.' || column_name::text || ' ' || data_type::text
                 FROM information_schema.columns WHERE table_schema = $1
                 ORDER BY 1",
                &[&schema],
            )
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        for r in client
            .query(
                "SELECT version::text FROM schema_migrations ORDER BY version",
                &[],
            )
            .await
            .unwrap()
        {
            out.push(format!("migration {}", r.get::<_, String>(0)));
        }
        out
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_v3_store_is_upgraded_and_every_old_result_is_found() {
        let (url, _server) = test_url();
        let schema = unique_schema("upgrade");
        let old = conformance::legacy_fixture();
        let webinars = Tables {
            webinars: vec![conformance::legacy_fixture_webinar()],
            ..Tables::default()
        };
        old_store(&url, &schema, &old, &webinars).await;
        let store = PostgresStore::connect(&with_schema(&url, &schema))
            .await
            .unwrap();
        assert_eq!(
            store.schema_version().await.unwrap(),
            PostgresStore::supported_schema_version()
        );
        conformance::assert_legacy_migrated(&store, &old, &webinars.webinars).await;
        assert_eq!(store.read_all(TimeRange::ALL).await.unwrap(), webinars);
        // The issue's acceptance: plain SQL on the view; `as_of` is a timestamptz.
        let client = raw(&url, &schema).await;
        let levels = client
            .query(
                "SELECT risk_level, count(*) FROM churn_scores_latest GROUP BY 1",
                &[],
            )
            .await
            .unwrap();
        let scores = old.iter().filter(|r| r.table == "churn_scores").count() as i64;
        assert_eq!(
            levels.iter().map(|r| r.get::<_, i64>(1)).sum::<i64>(),
            scores
        );
        let ty: String = client
            .query_one(
                "SELECT data_type::text FROM information_schema.columns
                 WHERE table_schema = $1 AND table_name = 'churn_scores' AND column_name = 'as_of'",
                &[&schema],
            )
            .await
            .unwrap()
            .get(0);
        assert_eq!(ty, "timestamp with time zone");
        let comment: Option<String> = client
            .query_one("SELECT col_description('churn_scores'::regclass, 3)", &[])
            .await
            .unwrap()
            .get(0);
        assert!(
            comment
                .unwrap_or_default()
                .starts_with("Calibrated probability"),
            "column comments carry the docs"
        );
        let gone: bool = client
            .query_one("SELECT to_regclass('results') IS NULL", &[])
            .await
            .unwrap()
            .get(0);
        assert!(gone, "the old results table is dropped");
        // Reopening is a no-op.
        let again = PostgresStore::connect(&with_schema(&url, &schema))
            .await
            .unwrap();
        conformance::assert_legacy_migrated(&again, &old, &webinars.webinars).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_bad_old_row_stops_the_upgrade_and_changes_nothing() {
        let (url, _server) = test_url();
        let schema = unique_schema("badup");
        let mut old = conformance::legacy_fixture();
        let i = old.iter().position(|r| r.table == "churn_scores").unwrap();
        old[i].data = serde_json::json!({"student_id": 7});
        old_store(&url, &schema, &old, &Tables::default()).await;
        let before = dump(&url, &schema).await;
        let err = PostgresStore::connect(&with_schema(&url, &schema))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("churn_scores"), "{err}");
        assert_eq!(dump(&url, &schema).await, before, "nothing touched");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_newer_schema_is_refused_and_untouched() {
        let (url, _server) = test_url();
        let schema = unique_schema("newer");
        let url_s = with_schema(&url, &schema);
        drop(PostgresStore::connect(&url_s).await.unwrap());
        let future = PostgresStore::supported_schema_version() + 1;
        let client = raw(&url, &schema).await;
        client
            .execute(
                "INSERT INTO schema_migrations VALUES ($1, 'future', 'x')",
                &[&i64::from(future)],
            )
            .await
            .unwrap();
        // The future release changed a result table; we must not "fix" it.
        client
            .batch_execute(
                "DROP VIEW kpi_summary_latest; ALTER TABLE kpi_summary DROP COLUMN students",
            )
            .await
            .unwrap();
        let before = dump(&url, &schema).await;
        match PostgresStore::connect(&url_s).await {
            Err(StoreError::SchemaTooNew { found, supported }) => {
                assert_eq!(found, future);
                assert_eq!(supported, PostgresStore::supported_schema_version());
            }
            other => panic!("expected SchemaTooNew, got {other:?}"),
        }
        assert_eq!(dump(&url, &schema).await, before, "nothing touched");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_result_table_with_other_columns_is_a_clear_error() {
        let (url, _server) = test_url();
        let schema = unique_schema("drift");
        let url_s = with_schema(&url, &schema);
        drop(PostgresStore::connect(&url_s).await.unwrap());
        let client = raw(&url, &schema).await;
        client
            .batch_execute(
                "DROP VIEW kpi_summary_latest; ALTER TABLE kpi_summary DROP COLUMN students",
            )
            .await
            .unwrap();
        let err = PostgresStore::connect(&url_s)
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`kpi_summary`") && err.contains("students"),
            "{err}"
        );
        // A table the catalog gained later is created on open (here: one dropped by hand).
        client
            .batch_execute("DROP TABLE kpi_summary CASCADE; DROP TABLE churn_scores CASCADE")
            .await
            .unwrap();
        drop(PostgresStore::connect(&url_s).await.unwrap());
        let n: i64 = client
            .query_one("SELECT count(*) FROM churn_scores_latest", &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(n, 0);
    }
}
