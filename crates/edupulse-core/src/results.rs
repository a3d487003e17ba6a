//! What a run of the daily job produces: result rows, notifications for the outbox, and the run
//! record. Pure data, shared by the store, the notifier and the CLI.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One row of a result table (`kpis`, `trend_alerts`, `churn_scores`, ...).
///
/// Results are documents keyed by `(table, as_of, key)`: a capability adds a result table without a
/// store migration, and re-running the same `as_of` replaces the rows instead of adding to them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultRow {
    /// Result table name.
    pub table: String,
    /// The run's `as_of` time.
    pub as_of: DateTime<Utc>,
    /// Natural key within the table and run (e.g. a student id, or `segment|metric`).
    pub key: String,
    /// The row itself, a JSON object.
    pub data: serde_json::Value,
}

/// How urgent a notification is; routing depends on it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Severity {
    /// In-app / file only.
    #[default]
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical: every configured channel.
    Critical,
}

impl Severity {
    /// Text form.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Parse the text form.
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "low" => Some(Severity::Low),
            "medium" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }
}

/// A notification to deliver, written to the outbox with the results that caused it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    /// Identity of the alert: writing a notification whose key is already in the outbox does
    /// nothing, so re-runs never alert twice (e.g. `trend:curso IA:2024-W18`).
    pub dedupe_key: String,
    /// What kind of alert (`trend_alert`, `sales_alert`, `churn_alert`, `kpi_alert`...).
    pub kind: String,
    /// Urgency.
    pub severity: Severity,
    /// One-line title.
    pub title: String,
    /// Body text.
    pub body: String,
    /// Structured details.
    pub payload: serde_json::Value,
    /// The `as_of` of the run that raised it.
    pub created_at: DateTime<Utc>,
}

/// Everything one run of the job writes, atomically.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunOutput {
    /// The run's `as_of`.
    pub as_of: DateTime<Utc>,
    /// Result rows. For every result table named here, the run's rows replace the rows that table
    /// had for the same `as_of`.
    pub results: Vec<ResultRow>,
    /// Notifications for the outbox (deduplicated by key).
    pub notifications: Vec<Notification>,
    /// A JSON summary of the run.
    pub summary: serde_json::Value,
}

/// Delivery state of an outbox row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum OutboxStatus {
    /// Not yet delivered to every channel it is routed to.
    Pending,
    /// Delivered everywhere it is routed to.
    Sent,
    /// Gave up after the maximum number of attempts; kept with its last error.
    Failed,
}

impl OutboxStatus {
    /// Text form.
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxStatus::Pending => "pending",
            OutboxStatus::Sent => "sent",
            OutboxStatus::Failed => "failed",
        }
    }

    /// Parse the text form.
    pub fn parse(s: &str) -> Option<OutboxStatus> {
        match s {
            "pending" => Some(OutboxStatus::Pending),
            "sent" => Some(OutboxStatus::Sent),
            "failed" => Some(OutboxStatus::Failed),
            _ => None,
        }
    }
}

/// An outbox row with its delivery state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxItem {
    /// The notification.
    pub notification: Notification,
    /// Delivery state.
    pub status: OutboxStatus,
    /// Failed attempts so far (over all channels).
    pub attempts: u32,
    /// The last delivery error, if any.
    pub last_error: Option<String>,
    /// Do not retry before this time.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Channels it has been delivered to.
    pub delivered_to: Vec<String>,
    /// When it became `Sent`.
    pub sent_at: Option<DateTime<Utc>>,
}

/// The outcome of one delivery attempt of one notification to one channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryAttempt {
    /// The notification's dedupe key.
    pub dedupe_key: String,
    /// Channel name.
    pub channel: String,
    /// When the attempt was made.
    pub at: DateTime<Utc>,
    /// `None` on success, the error text on failure (secrets removed).
    pub error: Option<String>,
    /// On failure: when to try again (`None` = give up, the row becomes `Failed`).
    pub retry_at: Option<DateTime<Utc>>,
    /// On success: whether every channel the row is routed to now has it (the row becomes `Sent`).
    pub completes: bool,
}

/// A finished run of the job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// The run's `as_of`.
    pub as_of: DateTime<Utc>,
    /// When it was (last) written.
    pub written_at: DateTime<Utc>,
    /// Its JSON summary.
    pub summary: serde_json::Value,
}
