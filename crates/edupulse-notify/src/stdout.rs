//! [`StdoutNotifier`]: one JSON line per notification on standard output.

use crate::notifier::DeliveredRef;
use crate::{ChannelKind, Notifier, NotifyError};
use async_trait::async_trait;
use chrono::Utc;
use edupulse_core::results::Notification;
use std::io::Write;
use std::sync::Mutex;

/// Prints each notification as one JSON line (the notification plus `channel` and
/// `delivered_at`, as [`DeliveredNotification`](crate::DeliveredNotification)) and flushes.
///
/// Use it only when asked for: the CLI's contract is that its **last** stdout line is its JSON
/// summary, so the CLI must dispatch before printing that summary (or not configure this notifier).
/// Standard output cannot be checked for earlier lines, so unlike the file notifier this one
/// cannot skip a notification already printed by a run that crashed before recording it.
pub struct StdoutNotifier {
    name: String,
    out: Mutex<Box<dyn Write + Send>>,
}

impl std::fmt::Debug for StdoutNotifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StdoutNotifier")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Default for StdoutNotifier {
    fn default() -> Self {
        StdoutNotifier::new()
    }
}

impl StdoutNotifier {
    /// A notifier named `stdout` writing to the process's standard output.
    pub fn new() -> Self {
        StdoutNotifier::with_writer("stdout", Box::new(std::io::stdout()))
    }

    /// A notifier with channel name `name` writing to `out` (for tests, or to print to stderr).
    pub fn with_writer(name: impl Into<String>, out: Box<dyn Write + Send>) -> Self {
        StdoutNotifier {
            name: name.into(),
            out: Mutex::new(out),
        }
    }
}

#[async_trait]
impl Notifier for StdoutNotifier {
    fn name(&self) -> &str {
        &self.name
    }

    fn kind(&self) -> ChannelKind {
        ChannelKind::Stdout
    }

    async fn send(&self, notification: &Notification) -> Result<(), NotifyError> {
        let line = DeliveredRef {
            notification,
            channel: &self.name,
            delivered_at: Utc::now(),
        }
        .to_line()?;
        let mut out = self
            .out
            .lock()
            .map_err(|_| NotifyError::retryable(&self.name, "output lock poisoned"))?;
        out.write_all(&line)
            .and_then(|()| out.flush())
            .map_err(|e| NotifyError::retryable(&self.name, format!("cannot write: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DeliveredNotification;
    use edupulse_core::results::Severity;
    use std::sync::Arc;

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn prints_one_json_line_per_notification() {
        let buf = Shared::default();
        let n = StdoutNotifier::with_writer("stdout", Box::new(buf.clone()));
        let note = Notification {
            dedupe_key: "k".into(),
            kind: "sales_alert".into(),
            severity: Severity::Critical,
            title: "Lead hot".into(),
            body: "línea\ncon salto".into(),
            payload: serde_json::json!({"lead_id": "L1"}),
            created_at: Utc::now(),
        };
        n.send(&note).await.unwrap();
        n.send(&note).await.unwrap();
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<_> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        let parsed: DeliveredNotification = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(parsed.notification, note);
        assert_eq!(parsed.channel, "stdout");
    }
}
