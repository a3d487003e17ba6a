//! Portable backups: every table of a store, in the stored text forms both SQL backends share,
//! as one JSON document per line (restorable into SQLite or PostgreSQL).
//!
//! The file is a header line (`{"format":"edupulse-backup","version":1,…}`), then one line per
//! row: `{"table":"students","row":{…}}` for input tables (the record's fields) and
//! `{"table":"results","row":{…}}`, `runs`, `notifications`, `deliveries` for the fixed tables
//! (their columns as stored). [`Store::export_fixed`](crate::Store::export_fixed) and
//! [`Store::import_fixed`](crate::Store::import_fixed) move the fixed tables; the input tables go
//! through [`Store::read_all`](crate::Store::read_all) and [`Store::ingest`](crate::Store::ingest).

use serde::{Deserialize, Serialize};

/// The backup format name in the header line.
pub const FORMAT: &str = "edupulse-backup";
/// The backup format version this build writes and reads.
pub const VERSION: u32 = 1;

/// A `results` row as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultRecord {
    /// Result table name.
    pub table_name: String,
    /// The run's `as_of` (fixed-width RFC 3339).
    pub as_of: String,
    /// `as_of` in epoch microseconds.
    pub as_of_us: i64,
    /// Row key.
    pub key: String,
    /// Row data (JSON text).
    pub data: String,
}

/// A `runs` row as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRow {
    /// The run's `as_of`.
    pub as_of: String,
    /// `as_of` in epoch microseconds.
    pub as_of_us: i64,
    /// When it was written.
    pub written_at: String,
    /// The summary (JSON text).
    pub summary: String,
}

/// A `notifications` (outbox) row as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationRow {
    /// Insertion order.
    pub seq: i64,
    /// Dedupe key.
    pub dedupe_key: String,
    /// Kind.
    pub kind: String,
    /// Severity.
    pub severity: String,
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
    /// Payload (JSON text).
    pub payload: String,
    /// Creation time.
    pub created_at: String,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    /// Failed attempts.
    pub attempts: i64,
    /// Last error.
    pub last_error: Option<String>,
    /// Next attempt time.
    pub next_attempt_at: Option<String>,
    /// When it was sent.
    pub sent_at: Option<String>,
}

/// A `deliveries` row as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRow {
    /// Insertion order.
    pub id: i64,
    /// Dedupe key.
    pub dedupe_key: String,
    /// Channel.
    pub channel: String,
    /// Delivery time.
    pub at: String,
    /// Delivery time in epoch microseconds.
    pub at_us: i64,
}

/// The fixed (non-input) tables of a store.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixedTables {
    /// `results`, ordered by (table_name, as_of, key).
    pub results: Vec<ResultRecord>,
    /// `runs`, ordered by as_of.
    pub runs: Vec<RunRow>,
    /// `notifications`, ordered by seq.
    pub notifications: Vec<NotificationRow>,
    /// `deliveries`, ordered by id.
    pub deliveries: Vec<DeliveryRow>,
}
