//! The [`Notifier`] trait: one delivery channel.

use crate::NotifyError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use edupulse_core::results::Notification;
use serde::{Deserialize, Serialize};

/// What kind of channel a notifier is. Routing uses it: local channels (the in-app log: a file,
/// stdout) receive every notification, remote ones (webhooks, chat, e-mail) only those at or
/// above their minimum severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ChannelKind {
    /// A local JSON-lines file (the in-app inbox).
    File,
    /// Standard output (local).
    Stdout,
    /// An HTTP webhook (Slack-compatible); remote.
    Webhook,
    /// Anything else; treated as remote unless the routing says `local: true`.
    Other,
}

impl ChannelKind {
    /// Whether the channel is local ("in-app"): it receives low-severity notifications too.
    pub fn is_local(self) -> bool {
        matches!(self, ChannelKind::File | ChannelKind::Stdout)
    }

    /// Text form.
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::File => "file",
            ChannelKind::Stdout => "stdout",
            ChannelKind::Webhook => "webhook",
            ChannelKind::Other => "other",
        }
    }
}

/// A delivery channel.
///
/// The dispatcher calls [`Notifier::send`] at most once per notification and channel in a run, and
/// records the outcome in the store afterwards. Delivery is **at least once**: a crash between a
/// successful `send` and that record means the next run sends again. A notifier that can, should
/// therefore use [`Notification::dedupe_key`] as an idempotency key (the file notifier skips keys
/// it has already written; a webhook can pass it as an `Idempotency-Key` header).
///
/// Errors must say whether trying again may help ([`NotifyError::retryable`], optionally with
/// [`NotifyError::with_retry_after`]) or not ([`NotifyError::permanent`]), and must never contain
/// secrets.
#[async_trait]
pub trait Notifier: Send + Sync {
    /// The channel's name: unique among the dispatcher's notifiers, stored in the outbox's
    /// `delivered_to` and the delivery log, used by routing and rate limits. It must be a safe
    /// label (`file`, `slack-sales`), never a URL or anything with a token in it.
    fn name(&self) -> &str;

    /// What kind of channel this is (decides the default routing).
    fn kind(&self) -> ChannelKind;

    /// Deliver one notification. `Ok` means the channel has it (or already had it).
    async fn send(&self, notification: &Notification) -> Result<(), NotifyError>;
}

/// The JSON object a local notifier writes for each delivery: the notification's fields plus the
/// channel and the delivery time. One per line in the file notifier's output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveredNotification {
    /// The notification (its fields are inlined in the JSON object).
    #[serde(flatten)]
    pub notification: Notification,
    /// The channel name that delivered it.
    pub channel: String,
    /// When it was written.
    pub delivered_at: DateTime<Utc>,
}

/// Borrowed form of [`DeliveredNotification`], for writing without cloning the notification.
#[derive(Serialize)]
pub(crate) struct DeliveredRef<'a> {
    #[serde(flatten)]
    pub(crate) notification: &'a Notification,
    pub(crate) channel: &'a str,
    pub(crate) delivered_at: DateTime<Utc>,
}

impl DeliveredRef<'_> {
    /// One JSON line, newline included.
    pub(crate) fn to_line(&self) -> Result<Vec<u8>, NotifyError> {
        let mut line = serde_json::to_vec(self).map_err(|e| {
            NotifyError::permanent(self.channel, format!("cannot encode notification: {e}"))
        })?;
        line.push(b'\n');
        Ok(line)
    }
}
