//! Portable backups: every table of a store, in the stored text forms both SQL backends share,
//! as one JSON document per line (restorable into SQLite or PostgreSQL).
//!
//! The file is a header line (`{"format":"edupulse-backup","version":2,…}`), then one line per
//! row: `{"table":"students","row":{…}}` for input tables (the record's fields),
//! `{"table":"results","row":{"table":"churn_scores","as_of":…,"rows":[[…],…]}}` for each result
//! set (one line per result table and `as_of`: the serde form of
//! [`ResultSet`], values in the table's column order), and `runs`, `notifications`,
//! `deliveries` for the other fixed tables (their columns as stored). Version 1 files (results
//! as JSON documents, before typed result tables) are not read by this release. [`Store::export_fixed`](crate::Store::export_fixed) and
//! [`Store::import_fixed`](crate::Store::import_fixed) move the fixed tables; the input tables go
//! through [`Store::read_all`](crate::Store::read_all) and [`Store::ingest`](crate::Store::ingest).

use edupulse_core::results::legacy::LegacyRow;
use edupulse_core::results::ResultSet;
use serde::{Deserialize, Serialize};

/// The backup format name in the header line.
pub const FORMAT: &str = "edupulse-backup";
/// The backup format version this build writes and reads.
pub const VERSION: u32 = 2;

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
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FixedTables {
    /// Every result table's rows: one set per (table, `as_of`) that has rows, ordered by table
    /// (catalog order) then `as_of`, rows sorted by key ([`crate::sort_by_key`]). Importing a set
    /// replaces its table's rows of that `as_of`.
    pub results: Vec<ResultSet>,
    /// Rows of the pre-typed `results` table that the typed-results migration did not recognise
    /// (tables of custom steps), kept in `legacy_results`; ordered by (table, `as_of`, key).
    #[serde(default)]
    pub legacy_results: Vec<LegacyRow>,
    /// `runs`, ordered by as_of.
    pub runs: Vec<RunRow>,
    /// `notifications`, ordered by seq.
    pub notifications: Vec<NotificationRow>,
    /// `deliveries`, ordered by id.
    pub deliveries: Vec<DeliveryRow>,
}
