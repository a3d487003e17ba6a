//! What a run of the daily job produces: typed result tables ([`ResultSet`] of a
//! [`ResultTable`] row type), notifications for the outbox, and the run record. Pure data, shared
//! by the store, the notifier, the report and the CLI.
//!
//! Every result table is declared once, with [`result_table!`](crate::result_table), next to the
//! capability that computes it; [`catalog`] lists them all.

mod catalog;
pub mod legacy;
mod table;

pub use catalog::{catalog, markdown, spec, unknown_table};
pub use table::{
    from_json_value, json_value, spec_of, ResultColumn, ResultField, ResultSet, ResultSpec,
    ResultTable,
};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunOutput {
    /// The run's `as_of`.
    pub as_of: DateTime<Utc>,
    /// Result tables. For every table with a set here (empty or not), the run's rows replace the
    /// rows that table had for the same `as_of`; the other tables are left as they are.
    pub results: Vec<ResultSet>,
    /// Notifications for the outbox (deduplicated by key).
    pub notifications: Vec<Notification>,
    /// A JSON summary of the run.
    pub summary: serde_json::Value,
    /// The steps that failed (their tables were left as they were).
    pub failed: Vec<StepFailure>,
}

/// The typed rows of table `T` among `sets` (none if there is no set of it).
pub fn rows_of<T: ResultTable>(sets: &[ResultSet]) -> crate::error::Result<Vec<T>> {
    match sets.iter().find(|s| s.spec.name == T::SPEC.name) {
        Some(s) => s.decode::<T>(),
        None => Ok(Vec::new()),
    }
}

impl RunOutput {
    /// The typed rows of result table `T` in this run (none if it wrote no set of it).
    pub fn rows<T: ResultTable>(&self) -> crate::error::Result<Vec<T>> {
        rows_of(&self.results)
    }

    /// Whether every step succeeded.
    pub fn ok(&self) -> bool {
        self.failed.is_empty()
    }
}

/// A step of a run that failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepFailure {
    /// The step's name.
    pub step: String,
    /// The error, in words.
    pub error: String,
}

impl StepFailure {
    /// The operator notification for this failure: kind `run_failed`, severity high, one per
    /// `as_of` and step (a re-run that fails the same way does not alert twice).
    pub fn notification(&self, as_of: DateTime<Utc>) -> Notification {
        let day = crate::model::format_datetime(&as_of);
        Notification {
            dedupe_key: format!("run:failed:{day}:{}", self.step),
            kind: "run_failed".to_string(),
            severity: Severity::High,
            title: format!("edupulse: step `{}` failed ({day})", self.step),
            body: format!(
                "The `{}` step of the run as of {day} failed and wrote nothing: {}. The other steps' results were written.",
                self.step, self.error
            ),
            payload: serde_json::json!({ "step": self.step, "error": self.error, "as_of": day }),
            created_at: as_of,
        }
    }
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
