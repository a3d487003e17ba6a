//! The [`Dispatcher`]: delivers the outbox to the notifiers. See the crate docs for the rules.

use crate::error::redact;
use crate::{DispatchConfig, Notifier, NotifyError};
use chrono::{DateTime, TimeDelta, Utc};
use edupulse_core::results::{DeliveryAttempt, Notification, OutboxItem, OutboxStatus, Severity};
use edupulse_store::{ClaimHolder, Claimant, Store};
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::{BTreeMap, HashSet};
use std::hash::BuildHasher;
use std::sync::Arc;

/// Delivers pending outbox rows to its notifiers: routing by severity, a rate limit per channel,
/// retries with exponential backoff, and a record of every attempt in the store.
pub struct Dispatcher {
    store: Arc<dyn Store>,
    notifiers: Vec<Arc<dyn Notifier>>,
    cfg: DispatchConfig,
    jitter_seed: u64,
    /// This dispatcher's id for outbox claims (unique per process and dispatcher).
    worker: String,
    /// How long a claim on outbox rows lasts.
    lease: std::time::Duration,
    /// How long to wait for another dispatcher of the same store to finish.
    max_wait: std::time::Duration,
    /// How often a delivering dispatcher renews its heartbeat (and its claim).
    heartbeat: std::time::Duration,
    /// This process's host name (recorded with claims; `None` when unknown).
    host: Option<String>,
    /// Told when this dispatcher waits for another one, takes a dead one's rows over, or gives up
    /// waiting (default: a line on stderr).
    notice: Arc<dyn Fn(&str) + Send + Sync>,
}

/// The default lease of a dispatcher's claim on outbox rows: if a dispatcher dies, its rows are
/// taken over by another after this long.
pub const DEFAULT_LEASE: std::time::Duration = std::time::Duration::from_secs(600);

/// How often a delivering dispatcher renews its heartbeat by default. Another dispatcher presumes
/// it dead when its heartbeat is older than [`STALE_HEARTBEATS`] intervals (60 s by default), far
/// sooner than the lease.
pub const DEFAULT_HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(10);

/// A claim whose heartbeat is older than this many heartbeat intervals belongs to a dead
/// dispatcher (its rows are taken over).
pub const STALE_HEARTBEATS: u32 = 6;

/// How often a dispatcher waiting for another one checks whether the outbox is free.
const WAIT_POLL: std::time::Duration = std::time::Duration::from_millis(200);

impl std::fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatcher")
            .field("store", &self.store.describe())
            .field("channels", &self.channel_names())
            .field("cfg", &self.cfg)
            .finish_non_exhaustive()
    }
}

/// What one [`Dispatcher::dispatch`] did. Delivery counts are per (row, channel) pair.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DispatchReport {
    /// The `now` the dispatch ran at.
    pub at: DateTime<Utc>,
    /// Pending outbox rows read.
    pub pending: u64,
    /// Milliseconds spent waiting for another dispatcher of the same store to finish (only one
    /// delivers at a time, so rate limits hold across processes).
    #[serde(default)]
    pub waited_ms: u64,
    /// The dispatcher stalled past its lease, another one took its rows over, and this one
    /// stopped delivering (the rows are the other's now).
    #[serde(default)]
    pub lost_claim: bool,
    /// Why this dispatcher had to wait for another one (who held the outbox, until when, its
    /// last heartbeat); `None` when it did not wait.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_reason: Option<String>,
    /// Dead dispatchers whose claims this one took over, each with the reason (its process is
    /// gone, or its heartbeat is stale).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub took_over: Vec<String>,
    /// Rows skipped because their `next_attempt_at` is still in the future.
    pub not_due: u64,
    /// Rows no configured channel is left to deliver to (no channel takes their severity, or
    /// every channel that does already has them); they stay pending.
    pub unroutable: u64,
    /// Successful deliveries.
    pub delivered: u64,
    /// Rows that became `Sent` (delivered to every channel they are routed to).
    pub completed: u64,
    /// Deliveries held back by a channel's rate limit (rows untouched, not a failure).
    pub rate_limited: u64,
    /// Deliveries not tried because the channel already failed (retryably) earlier in this run;
    /// rows untouched.
    pub deferred: u64,
    /// Failed deliveries that will be retried after a backoff.
    pub retried_later: u64,
    /// Failed deliveries given up on (permanent error or attempts exhausted): the row is `Failed`.
    pub failed: u64,
    /// Deliveries refused for our credentials (HTTP 401 / 403, a configuration error): the row
    /// stays pending, untouched, and the channel gets nothing more in this run.
    #[serde(default)]
    pub unauthorized: u64,
    /// Configuration errors met while delivering (one line per channel, e.g. a webhook that
    /// refused our secret), also said through the dispatcher's notice (stderr by default).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub config_errors: Vec<String>,
    /// The same counts, per channel name (every configured channel appears).
    pub channels: BTreeMap<String, ChannelReport>,
}

/// Per-channel counts of a [`DispatchReport`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelReport {
    /// Successful deliveries.
    pub delivered: u64,
    /// Deliveries held back by the rate limit.
    pub rate_limited: u64,
    /// Deliveries not tried after an earlier retryable failure in the run.
    pub deferred: u64,
    /// Failures to be retried.
    pub retried_later: u64,
    /// Failures given up on.
    pub failed: u64,
    /// Deliveries refused for our credentials (configuration error; rows stay pending).
    #[serde(default)]
    pub unauthorized: u64,
}

#[derive(Clone, Copy)]
enum Outcome {
    Delivered,
    RateLimited,
    Deferred,
    RetriedLater,
    Failed,
    Unauthorized,
}

impl DispatchReport {
    fn count(&mut self, channel: &str, outcome: Outcome) {
        let c = self.channels.entry(channel.to_string()).or_default();
        let (total, per) = match outcome {
            Outcome::Delivered => (&mut self.delivered, &mut c.delivered),
            Outcome::RateLimited => (&mut self.rate_limited, &mut c.rate_limited),
            Outcome::Deferred => (&mut self.deferred, &mut c.deferred),
            Outcome::RetriedLater => (&mut self.retried_later, &mut c.retried_later),
            Outcome::Failed => (&mut self.failed, &mut c.failed),
            Outcome::Unauthorized => (&mut self.unauthorized, &mut c.unauthorized),
        };
        *total += 1;
        *per += 1;
    }
}

/// State of one dispatch run, per channel (same order as the notifiers).
struct RunState {
    /// Deliveries still allowed by the rate limit (`None`: not yet read from the store).
    budget: Vec<Option<u64>>,
    /// The channel failed retryably in this run: leave its other rows for later.
    paused: Vec<bool>,
    /// Slots of the channel's budget reserved for pending critical rows that still need it
    /// (due or waiting for a retry): only criticals may use them.
    reserved: Vec<u64>,
}

impl Dispatcher {
    /// A dispatcher over `store` delivering to `notifiers` under `cfg`.
    ///
    /// Fails if `cfg` is invalid, or if two notifiers share a name, or a name is empty or looks
    /// like a URL (names are stored and shown; they must be safe labels).
    pub fn new(
        store: Arc<dyn Store>,
        notifiers: Vec<Arc<dyn Notifier>>,
        cfg: DispatchConfig,
    ) -> Result<Self, NotifyError> {
        cfg.validate()?;
        let mut seen = HashSet::new();
        for n in &notifiers {
            let name = n.name();
            if name.trim().is_empty() {
                return Err(NotifyError::config(
                    "notifiers",
                    "a notifier has an empty name",
                ));
            }
            if name.contains("://") {
                return Err(NotifyError::config(
                    "notifiers",
                    "a notifier name looks like a URL; names must be safe labels",
                ));
            }
            if !seen.insert(name) {
                return Err(NotifyError::config(
                    "notifiers",
                    format!("two notifiers are named `{name}`"),
                ));
            }
        }
        let jitter_seed = cfg
            .retry
            .jitter_seed
            .unwrap_or_else(|| std::collections::hash_map::RandomState::new().hash_one(0u64));
        let host = crate::liveness::host_name();
        let worker = format!(
            "pid{}-{:016x}",
            std::process::id(),
            std::collections::hash_map::RandomState::new().hash_one(std::time::SystemTime::now())
        );
        Ok(Dispatcher {
            store,
            notifiers,
            cfg,
            jitter_seed,
            worker,
            lease: DEFAULT_LEASE,
            max_wait: DEFAULT_LEASE,
            heartbeat: DEFAULT_HEARTBEAT,
            host,
            notice: Arc::new(|line: &str| eprintln!("edupulse: {line}")),
        })
    }

    /// Set how often this dispatcher renews its heartbeat while delivering (default
    /// [`DEFAULT_HEARTBEAT`]; at least 1 ms). Others presume it dead when its heartbeat is older
    /// than [`STALE_HEARTBEATS`] intervals.
    pub fn with_heartbeat(mut self, heartbeat: std::time::Duration) -> Self {
        self.heartbeat = heartbeat.max(std::time::Duration::from_millis(1));
        self
    }

    /// Where to say that this dispatcher waits for another one (and why), takes a dead one's
    /// rows over, or gives up waiting. Default: a line on stderr. Waiting is never silent: the
    /// same text is in [`DispatchReport::wait_reason`] and [`DispatchReport::took_over`].
    pub fn with_notice(mut self, notice: impl Fn(&str) + Send + Sync + 'static) -> Self {
        self.notice = Arc::new(notice);
        self
    }

    /// Override the host name recorded with claims (default: this machine's; tests use it to
    /// play a dispatcher of another host).
    pub fn with_host(mut self, host: Option<String>) -> Self {
        self.host = host;
        self
    }

    fn claimant(&self) -> Claimant {
        Claimant {
            worker: self.worker.clone(),
            host: self.host.clone(),
            pid: Some(std::process::id()),
        }
    }

    /// Why `holder` is presumed dead at `at`, or `None` if it may be alive: on this host, its
    /// process is gone; anywhere, its heartbeat is older than [`STALE_HEARTBEATS`] intervals.
    fn dead_reason(&self, holder: &ClaimHolder, at: DateTime<Utc>) -> Option<String> {
        if let (Some(host), Some(mine), Some(pid)) = (&holder.host, &self.host, holder.pid) {
            if host == mine
                && pid != std::process::id()
                && crate::liveness::process_alive(pid) == Some(false)
            {
                return Some(format!("its process {pid} on this host is gone"));
            }
        }
        let stale = self.heartbeat.saturating_mul(STALE_HEARTBEATS);
        let stale = TimeDelta::from_std(stale).unwrap_or(TimeDelta::MAX);
        if let Some(beat) = holder.heartbeat_at {
            let silent = at.signed_duration_since(beat);
            if silent > stale {
                return Some(format!(
                    "no heartbeat for {} s (dead after {} s)",
                    silent.num_seconds(),
                    stale.num_seconds()
                ));
            }
        }
        None
    }

    /// Set how long [`Dispatcher::dispatch`] waits for another dispatcher of the same store to
    /// finish before giving up for this run (default [`DEFAULT_LEASE`]: by then a dead
    /// dispatcher's claims have expired).
    pub fn with_max_wait(mut self, max_wait: std::time::Duration) -> Self {
        self.max_wait = max_wait;
        self
    }

    /// Set the lease of this dispatcher's outbox claims (default [`DEFAULT_LEASE`]); it should
    /// exceed the longest dispatch.
    pub fn with_lease(mut self, lease: std::time::Duration) -> Self {
        self.lease = lease;
        self
    }

    /// This dispatcher's worker id (used for outbox claims).
    pub fn worker_id(&self) -> &str {
        &self.worker
    }

    /// The configuration.
    pub fn config(&self) -> &DispatchConfig {
        &self.cfg
    }

    /// The channel names, in delivery order.
    pub fn channel_names(&self) -> Vec<&str> {
        self.notifiers.iter().map(|n| n.name()).collect()
    }

    /// The channels a notification of `severity` is routed to.
    pub fn targets(&self, severity: Severity) -> Vec<&str> {
        self.notifiers
            .iter()
            .filter(|n| self.cfg.routing.routes(n.name(), n.kind(), severity))
            .map(|n| n.name())
            .collect()
    }

    /// Deliver what is due at `now`; see the crate docs for the rules. Every attempt is recorded
    /// in the store before the next one starts.
    ///
    /// Errors only when the store fails (reading the outbox, counting deliveries, recording an
    /// attempt); delivery failures are recorded and counted in the report. If recording a
    /// successful delivery fails, the notification was sent but the outbox does not know: the
    /// next dispatch sends it again (at-least-once; see the crate docs).
    pub async fn dispatch(&self, now: DateTime<Utc>) -> Result<DispatchReport, NotifyError> {
        let mut report = DispatchReport {
            at: now,
            ..DispatchReport::default()
        };
        for n in &self.notifiers {
            report.channels.entry(n.name().to_string()).or_default();
        }
        // Claim the rows (on shared stores one dispatcher at a time: the others wait), deliver,
        // and give the claims back whatever happened.
        let started = std::time::Instant::now();
        let claimant = self.claimant();
        let mut released: HashSet<String> = HashSet::new();
        let mut slept = false;
        let pending = loop {
            let waited = started.elapsed();
            let at = add(now, waited);
            let claimed = self
                .store
                .claim_outbox_as(&claimant, at, self.lease)
                .await?;
            // Nothing claimed while rows are pending: another dispatcher holds them.
            if !claimed.is_empty() || self.store.outbox(true).await?.is_empty() {
                break claimed;
            }
            // A dead holder (process gone on this host, or a stale heartbeat) loses its rows
            // at once; a live one is waited for, saying so.
            let holders = self.store.claim_holders(at).await?;
            let mut took_over = false;
            for h in holders.iter().filter(|h| h.worker != self.worker) {
                if released.contains(&h.worker) {
                    continue;
                }
                if let Some(why) = self.dead_reason(h, at) {
                    released.insert(h.worker.clone());
                    self.store.release_claims(&h.worker).await?;
                    let line = format!("dispatcher {} is dead: {why}", describe_holder(h));
                    (self.notice)(&format!("taking over its outbox rows: {line}"));
                    report.took_over.push(line);
                    took_over = true;
                }
            }
            if took_over {
                continue;
            }
            if waited >= self.max_wait {
                let line = format!(
                    "gave up after {} s waiting for another dispatcher; the pending alerts are \
                     left for the next run",
                    waited.as_secs()
                );
                (self.notice)(&line);
                report.wait_reason = Some(match report.wait_reason.take() {
                    Some(why) => format!("{why}; {line}"),
                    None => line,
                });
                break claimed;
            }
            if report.wait_reason.is_none() {
                let why = match holders.iter().find(|h| h.worker != self.worker) {
                    Some(h) => format!(
                        "dispatcher {} holds the outbox until {} (last heartbeat {})",
                        describe_holder(h),
                        h.claimed_until.to_rfc3339(),
                        h.heartbeat_at
                            .map_or_else(|| "never".to_string(), |t| t.to_rfc3339())
                    ),
                    None => "another dispatcher holds the outbox".to_string(),
                };
                (self.notice)(&format!(
                    "waiting up to {} s to deliver alerts: {why}",
                    self.max_wait.as_secs()
                ));
                report.wait_reason = Some(why);
            }
            tokio::time::sleep(WAIT_POLL).await;
            slept = true;
        };
        if slept {
            report.waited_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        }
        let lost = std::sync::atomic::AtomicBool::new(false);
        let result = if pending.is_empty() {
            Ok(report)
        } else {
            // Deliver while a heartbeat renews the claim (also during a long send), so others
            // know this dispatcher is alive; if the claim is lost, stop at the next row.
            let deliver = self.deliver_pending(&pending, now, &lost, report);
            let beat = self.beat(now, started, &lost);
            tokio::select! {
                r = deliver => r,
                () = beat => unreachable_heartbeat(),
            }
        };
        let released = self.store.release_claims(&self.worker).await;
        let report = result?;
        released?;
        Ok(report)
    }

    async fn deliver_pending(
        &self,
        pending: &[OutboxItem],
        now: DateTime<Utc>,
        lost: &std::sync::atomic::AtomicBool,
        mut report: DispatchReport,
    ) -> Result<DispatchReport, NotifyError> {
        report.pending = pending.len() as u64;
        let mut due: Vec<&OutboxItem> = Vec::with_capacity(pending.len());
        for item in pending {
            if item.status != OutboxStatus::Pending {
                continue;
            }
            if item.next_attempt_at.is_some_and(|t| t > now) {
                report.not_due += 1;
                continue;
            }
            due.push(item);
        }
        // Critical first; within a severity the oldest first (`created_at`, then the store's
        // order: the sort is stable).
        due.sort_by_key(|item| {
            (
                Reverse(item.notification.severity),
                item.notification.created_at,
            )
        });
        // Every pending critical row a channel still lacks reserves one slot of that channel's
        // budget, also while it waits for a retry, so high / medium / low rows cannot use up
        // the slots criticals need.
        let mut reserved = vec![0u64; self.notifiers.len()];
        for item in pending.iter().filter(|item| {
            item.status == OutboxStatus::Pending && item.notification.severity == Severity::Critical
        }) {
            for (i, n) in self.notifiers.iter().enumerate() {
                if self
                    .cfg
                    .routing
                    .routes(n.name(), n.kind(), Severity::Critical)
                    && !item.delivered_to.iter().any(|c| c == n.name())
                {
                    reserved[i] += 1;
                }
            }
        }
        let mut state = RunState {
            budget: vec![None; self.notifiers.len()],
            paused: vec![false; self.notifiers.len()],
            reserved,
        };
        for item in due {
            // The heartbeat renews the claim; if it was lost anyway (this dispatcher stalled
            // and another presumed it dead and took over), stop here.
            if lost.load(std::sync::atomic::Ordering::SeqCst) {
                report.lost_claim = true;
                break;
            }
            self.deliver_row(item, now, &mut state, &mut report).await?;
        }
        Ok(report)
    }

    /// Renew the heartbeat (and the claim) every heartbeat interval, forever; sets `lost` when
    /// the store says another dispatcher took the rows over. A failed renewal is retried at the
    /// next beat (a delivery's own store calls report store failures).
    async fn beat(
        &self,
        now: DateTime<Utc>,
        started: std::time::Instant,
        lost: &std::sync::atomic::AtomicBool,
    ) {
        // Several beats per lease, even with a short lease.
        let every = self
            .heartbeat
            .min(self.lease / 3)
            .max(std::time::Duration::from_millis(1));
        loop {
            tokio::time::sleep(every).await;
            let at = add(now, started.elapsed());
            if let Ok(false) = self.store.heartbeat(&self.worker, at, self.lease).await {
                lost.store(true, std::sync::atomic::Ordering::SeqCst);
            }
        }
    }

    /// Deliver one due row to the channels that still lack it.
    async fn deliver_row(
        &self,
        item: &OutboxItem,
        now: DateTime<Utc>,
        state: &mut RunState,
        report: &mut DispatchReport,
    ) -> Result<(), NotifyError> {
        let note = &item.notification;
        let targets: Vec<usize> = (0..self.notifiers.len())
            .filter(|&i| {
                let n = &self.notifiers[i];
                self.cfg.routing.routes(n.name(), n.kind(), note.severity)
            })
            .collect();
        let mut have: HashSet<&str> = item.delivered_to.iter().map(String::as_str).collect();
        let todo: Vec<usize> = targets
            .iter()
            .copied()
            .filter(|&i| !have.contains(self.notifiers[i].name()))
            .collect();
        if todo.is_empty() {
            report.unroutable += 1;
            return Ok(());
        }

        let mut failures: Vec<(usize, NotifyError)> = Vec::new();
        for i in todo {
            let name = self.notifiers[i].name();
            if state.paused[i] {
                report.count(name, Outcome::Deferred);
                continue;
            }
            let budget = match state.budget[i] {
                Some(b) => b,
                None => {
                    let b = self.initial_budget(name, now).await?;
                    state.budget[i] = Some(b);
                    b
                }
            };
            let critical = note.severity == Severity::Critical;
            let usable = if critical {
                budget
            } else {
                budget.saturating_sub(state.reserved[i])
            };
            if usable == 0 {
                report.count(name, Outcome::RateLimited);
                continue;
            }
            match self.send_one(i, note).await {
                Ok(()) => {
                    state.budget[i] = Some(budget - 1);
                    if critical {
                        state.reserved[i] = state.reserved[i].saturating_sub(1);
                    }
                    have.insert(name);
                    let completes = targets
                        .iter()
                        .all(|&t| have.contains(self.notifiers[t].name()));
                    self.store
                        .record_delivery(&DeliveryAttempt {
                            dedupe_key: note.dedupe_key.clone(),
                            channel: name.to_string(),
                            at: now,
                            error: None,
                            retry_at: None,
                            completes,
                        })
                        .await?;
                    report.count(name, Outcome::Delivered);
                    if completes {
                        report.completed += 1;
                    }
                }
                Err(e) if e.is_unauthorized() => {
                    // A configuration error, not the alert's: leave the row pending and
                    // untouched, skip the channel for the rest of the run, and say so.
                    state.paused[i] = true;
                    report.count(name, Outcome::Unauthorized);
                    let line = redact(&e.to_string());
                    (self.notice)(&line);
                    report.config_errors.push(line);
                }
                Err(e) => {
                    if e.is_retryable() {
                        state.paused[i] = true;
                    }
                    failures.push((i, e));
                }
            }
        }
        if failures.is_empty() {
            return Ok(());
        }

        // `attempts` counts failed attempts of the row over all channels, as the store does.
        let attempts_after = item
            .attempts
            .saturating_add(u32::try_from(failures.len()).unwrap_or(u32::MAX));
        let give_up = attempts_after >= self.cfg.retry.max_attempts
            || failures.iter().any(|(_, e)| !e.is_retryable());
        let mut records: Vec<DeliveryAttempt> = failures
            .into_iter()
            .map(|(i, e)| {
                let name = self.notifiers[i].name();
                let retry_at = (!give_up).then(|| {
                    let draw = self.draw(&note.dedupe_key, name, attempts_after);
                    let wait = self.cfg.retry.wait(attempts_after, draw, e.retry_after());
                    add(now, wait)
                });
                DeliveryAttempt {
                    dedupe_key: note.dedupe_key.clone(),
                    channel: name.to_string(),
                    at: now,
                    error: Some(redact(&e.to_string())),
                    retry_at,
                    completes: false,
                }
            })
            .collect();
        // The row waits for the latest retry time: record that one last.
        records.sort_by_key(|r| r.retry_at);
        for record in &records {
            self.store.record_delivery(record).await?;
            let outcome = if record.retry_at.is_some() {
                Outcome::RetriedLater
            } else {
                // The row is `Failed` now: a critical one no longer holds its slots.
                if note.severity == Severity::Critical {
                    for (i, n) in self.notifiers.iter().enumerate() {
                        if n.name() == record.channel {
                            state.reserved[i] = state.reserved[i].saturating_sub(1);
                        }
                    }
                }
                Outcome::Failed
            };
            report.count(&record.channel, outcome);
        }
        Ok(())
    }

    /// Deliveries channel `name` may still make at `now`: its limit minus its successful
    /// deliveries in the window ending at `now`, from the store (so across runs and processes).
    async fn initial_budget(&self, name: &str, now: DateTime<Utc>) -> Result<u64, NotifyError> {
        let limit = self.cfg.rate_limit_for(name);
        let window = TimeDelta::from_std(limit.window()).unwrap_or(TimeDelta::MAX);
        let since = now
            .checked_sub_signed(window)
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        let used = self.store.delivered_since(name, since).await?;
        Ok(u64::from(limit.max).saturating_sub(used))
    }

    /// Send through notifier `i`, bounded by the send timeout.
    async fn send_one(&self, i: usize, note: &Notification) -> Result<(), NotifyError> {
        let notifier = &self.notifiers[i];
        match self.cfg.send_timeout() {
            Some(limit) => match tokio::time::timeout(limit, notifier.send(note)).await {
                Ok(result) => result,
                Err(_) => Err(NotifyError::retryable(
                    notifier.name(),
                    format!("no answer within {} s", limit.as_secs()),
                )),
            },
            None => notifier.send(note).await,
        }
    }

    /// A uniform draw in `[0, 1)` for the jitter, determined by the seed, the row, the channel and
    /// the attempt number.
    fn draw(&self, key: &str, channel: &str, attempt: u32) -> f64 {
        let mut h = fnv1a(self.jitter_seed, key.as_bytes());
        h = fnv1a(h, &[0]);
        h = fnv1a(h, channel.as_bytes());
        h ^= u64::from(attempt);
        let x = splitmix64(h);
        (x >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The heartbeat loop never ends; `select!` needs a value of its type.
fn unreachable_heartbeat() -> Result<DispatchReport, NotifyError> {
    Err(NotifyError::config(
        "dispatcher",
        "the heartbeat loop ended (a bug)",
    ))
}

/// A claim holder as shown in notices: worker id, host and pid when known.
fn describe_holder(h: &ClaimHolder) -> String {
    let mut out = h.worker.clone();
    match (&h.host, h.pid) {
        (Some(host), Some(pid)) => out.push_str(&format!(" (host {host}, pid {pid})")),
        (Some(host), None) => out.push_str(&format!(" (host {host})")),
        (None, Some(pid)) => out.push_str(&format!(" (pid {pid})")),
        (None, None) => {}
    }
    out
}

/// `now + wait`, saturating at the largest representable time.
fn add(now: DateTime<Utc>, wait: std::time::Duration) -> DateTime<Utc> {
    TimeDelta::from_std(wait)
        .ok()
        .and_then(|d| now.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

fn fnv1a(mut h: u64, bytes: &[u8]) -> u64 {
    h ^= 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}
