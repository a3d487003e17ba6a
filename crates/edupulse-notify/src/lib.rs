//! # edupulse-notify
//!
//! Delivers the notifications a run wrote to the store's **outbox**: the [`Notifier`] trait (one
//! delivery channel), the [`Dispatcher`] that decides what goes where and when, and two local
//! notifiers, [`FileNotifier`] (JSON lines, the in-app inbox) and [`StdoutNotifier`], and the
//! remote [`WebhookNotifier`] (Slack-compatible or generic JSON, over reqwest with rustls).
//!
//! ## What the dispatcher decides, and from what
//! [`Dispatcher::dispatch`]`(now)` claims the pending outbox rows
//! ([`edupulse_store::Store::claim_outbox`], oldest first; on a store shared by several processes
//! — a SQLite file, PostgreSQL — one dispatcher at a time holds the claim for a lease and the
//! others wait for it, so two dispatchers never send one row twice and a channel's rate limit
//! holds across processes; a delivering dispatcher renews a heartbeat every
//! [`DEFAULT_HEARTBEAT`] (10 s), also during a long send. A dispatcher that finds the outbox held
//! takes the holder's rows over at once when the holder is dead — on the same host its process is
//! gone, or its heartbeat is older than [`STALE_HEARTBEATS`] intervals (60 s) — and otherwise
//! waits, saying on stderr (or [`Dispatcher::with_notice`]) whom it waits for and why; an old
//! claim without heartbeat is taken over when its lease expires),
//! releases the claims at the end, and for each row:
//! 1. **due?** — a row whose `next_attempt_at` is after `now` is waiting for a retry and is left
//!    alone (`not_due`);
//! 2. **where to** — the target channels follow [`Routing`] from the row's severity: `Critical` goes
//!    to every enabled channel; local channels (file, stdout) take everything including `Low`;
//!    remote channels take severities at or above their `min_severity` (default `Medium`), never
//!    `Low`. Channels in the row's `delivered_to` already have it and are skipped;
//! 3. **in which order** — critical rows first, then high, medium, low; oldest first within a
//!    severity (`created_at`), so the rate budget goes to what matters most;
//! 4. **rate limit** — a channel makes at most [`RateLimit::max`] deliveries (default 5) per
//!    rolling [`RateLimit::window`] (default 1 h). The budget is counted from the store
//!    ([`Store::delivered_since`](edupulse_store::Store::delivered_since)`(channel, now − window)`),
//!    so it holds across runs and processes. A row over budget stays pending, untouched: it is not
//!    a failure and does not use up an attempt (`rate_limited`). **Criticals keep their slots**:
//!    every pending critical row a channel still lacks — due, or waiting for a retry — reserves
//!    one slot of that channel's budget, which only criticals may use; high, medium and low rows
//!    share what is left;
//! 5. **send and record** — each delivery is recorded with
//!    [`Store::record_delivery`](edupulse_store::Store::record_delivery) right after it returns.
//!    A success adds the channel to `delivered_to`, and the row becomes `Sent` (`completes`) once
//!    every target channel has it. A failure increments the row's `attempts`: a
//!    [retryable](NotifyError::is_retryable) one schedules `next_attempt_at = now + backoff`
//!    ([`RetryPolicy`]: 60 s doubling per attempt up to 1 h, optional seeded jitter, at least the
//!    channel's `retry_after` hint); a permanent one, or the [`RetryPolicy::max_attempts`]-th,
//!    marks the row `Failed` with its last error. After a retryable failure the channel gets
//!    nothing more in this run (it is probably down, or asked us to slow down): its other rows are
//!    `deferred`, untouched.
//!
//! Dispatching twice delivers nothing the second time: sent rows are no longer pending and
//! delivered channels are skipped. Error texts are stored after [`redact`], and channel names are
//! safe labels, so no secret reaches the outbox or the report.
//!
//! ## At least once, not at most once
//! The outbox gives **at-least-once** delivery: a notification is marked delivered only after its
//! channel accepted it, so nothing is lost, but a crash (or a store failure) between a successful
//! send and its record makes the next run send it again. At-most-once (record first, then send)
//! would lose alerts instead, which is worse for sales and churn alerts. Duplicates are removed
//! where the channel allows it: [`Notification::dedupe_key`](edupulse_core::results::Notification)
//! is the idempotency key passed to every channel. [`FileNotifier`] does not write a
//! `(dedupe_key, channel)` already in its file, which makes the file effectively exactly-once; a
//! webhook can send the key as an `Idempotency-Key` header; stdout cannot check and may repeat a
//! line after a crash.
//!
//! ## Example
//! ```no_run
//! # async fn demo(store: std::sync::Arc<dyn edupulse_store::Store>) -> Result<(), edupulse_notify::NotifyError> {
//! use edupulse_notify::{DispatchConfig, Dispatcher, FileNotifier, Notifier};
//! use std::sync::Arc;
//! let file: Arc<dyn Notifier> = Arc::new(FileNotifier::new("out/notifications.jsonl"));
//! let dispatcher = Dispatcher::new(store, vec![file], DispatchConfig::default())?;
//! let report = dispatcher.dispatch(chrono::Utc::now()).await?;
//! println!("{}", serde_json::to_string(&report).unwrap_or_default());
//! # Ok(()) }
//! ```
#![warn(missing_docs)]

mod config;
mod dispatch;
mod error;
mod file;
mod liveness;
mod notifier;
pub mod settings;
mod stdout;
pub mod webhook;

pub use config::{ChannelRoute, DispatchConfig, RateLimit, RetryPolicy, Routing};
pub use dispatch::{
    ChannelReport, DispatchReport, Dispatcher, DEFAULT_HEARTBEAT, DEFAULT_LEASE, STALE_HEARTBEATS,
};
pub use error::{redact, NotifyError};
pub use file::{read_delivered, FileNotifier};
pub use notifier::{ChannelKind, DeliveredNotification, Notifier};
pub use settings::{NotifyConfig, Secret, WebhookConfig};
pub use stdout::StdoutNotifier;
pub use webhook::{WebhookFormat, WebhookNotifier};
