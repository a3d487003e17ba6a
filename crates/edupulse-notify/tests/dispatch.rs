//! Dispatcher behaviour against the in-memory store: delivery, idempotency, retries, rate limits,
//! routing, crash recovery.

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use edupulse_core::results::{Notification, OutboxItem, OutboxStatus, RunOutput, Severity};
use edupulse_notify::{
    read_delivered, ChannelKind, ChannelRoute, DispatchConfig, Dispatcher, FileNotifier, Notifier,
    NotifyError,
};
use edupulse_store::memory::MemoryStore;
use edupulse_store::Store;
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-05-01T06:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn mins(m: i64) -> TimeDelta {
    TimeDelta::minutes(m)
}

fn note(key: &str, severity: Severity) -> Notification {
    Notification {
        dedupe_key: key.to_string(),
        kind: "trend_alert".into(),
        severity,
        title: format!("alert {key}"),
        body: "«curso IA» sube un 80 %".into(),
        payload: serde_json::json!({ "keyword": "curso IA", "growth": 0.8 }),
        created_at: t0(),
    }
}

async fn store_with(notes: Vec<Notification>) -> Arc<dyn Store> {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    store
        .write_run(&RunOutput {
            as_of: t0(),
            results: Vec::new(),
            notifications: notes,
            summary: serde_json::json!({}),
            failed: vec![],
        })
        .await
        .unwrap();
    store
}

async fn row(store: &Arc<dyn Store>, key: &str) -> OutboxItem {
    store
        .outbox(false)
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.notification.dedupe_key == key)
        .unwrap()
}

fn lines(path: &Path) -> usize {
    std::fs::read_to_string(path).map_or(0, |s| s.lines().count())
}

/// A test channel that fails its first `fail_first` sends, then succeeds.
struct Scripted {
    name: String,
    kind: ChannelKind,
    fail_first: u32,
    permanent: bool,
    retry_after: Option<Duration>,
    message: String,
    sleep: Option<Duration>,
    calls: AtomicU32,
    got: Mutex<Vec<String>>,
}

impl Scripted {
    fn new(name: &str, kind: ChannelKind) -> Self {
        Scripted {
            name: name.to_string(),
            kind,
            fail_first: 0,
            permanent: false,
            retry_after: None,
            message: "HTTP 503".into(),
            sleep: None,
            calls: AtomicU32::new(0),
            got: Mutex::new(Vec::new()),
        }
    }
    fn failing(mut self, k: u32) -> Self {
        self.fail_first = k;
        self
    }
    fn calls(&self) -> u32 {
        self.calls.load(Ordering::SeqCst)
    }
    fn got(&self) -> Vec<String> {
        self.got.lock().unwrap().clone()
    }
}

#[async_trait]
impl Notifier for Scripted {
    fn name(&self) -> &str {
        &self.name
    }
    fn kind(&self) -> ChannelKind {
        self.kind
    }
    async fn send(&self, n: &Notification) -> Result<(), NotifyError> {
        let call = self.calls.fetch_add(1, Ordering::SeqCst);
        if let Some(d) = self.sleep {
            tokio::time::sleep(d).await;
        }
        if call < self.fail_first {
            return Err(if self.permanent {
                NotifyError::permanent(&self.name, &self.message)
            } else {
                let e = NotifyError::retryable(&self.name, &self.message);
                match self.retry_after {
                    Some(d) => e.with_retry_after(d),
                    None => e,
                }
            });
        }
        self.got.lock().unwrap().push(n.dedupe_key.clone());
        Ok(())
    }
}

fn dispatcher(
    store: &Arc<dyn Store>,
    notifiers: Vec<Arc<dyn Notifier>>,
    cfg: DispatchConfig,
) -> Dispatcher {
    Dispatcher::new(Arc::clone(store), notifiers, cfg).unwrap()
}

#[tokio::test]
async fn delivers_to_a_file_once_and_only_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out/notifications.jsonl");
    let store = store_with(vec![
        note("a", Severity::Low),
        note("b", Severity::Medium),
        note("c", Severity::High),
    ])
    .await;
    let d = dispatcher(
        &store,
        vec![Arc::new(FileNotifier::new(&path))],
        DispatchConfig::default(),
    );

    let r = d.dispatch(t0()).await.unwrap();
    assert_eq!((r.pending, r.delivered, r.completed), (3, 3, 3));
    assert_eq!(r.channels["file"].delivered, 3);
    assert_eq!(lines(&path), 3);
    let written = read_delivered(&path).unwrap();
    // Priority order: high first.
    let keys: Vec<_> = written
        .iter()
        .map(|l| l.notification.dedupe_key.as_str())
        .collect();
    assert_eq!(keys, ["c", "b", "a"]);
    assert_eq!(written[0].notification, note("c", Severity::High));
    for item in store.outbox(false).await.unwrap() {
        assert_eq!(item.status, OutboxStatus::Sent);
        assert_eq!(item.delivered_to, ["file"]);
        assert_eq!(item.sent_at, Some(t0()));
    }

    // Second dispatch: nothing to do.
    let r = d.dispatch(t0() + mins(120)).await.unwrap();
    assert_eq!((r.pending, r.delivered), (0, 0));
    assert_eq!(lines(&path), 3);

    // Re-running the job writes the same notifications again: the outbox ignores them.
    store
        .write_run(&RunOutput {
            as_of: t0(),
            results: Vec::new(),
            notifications: vec![note("a", Severity::Low)],
            summary: serde_json::json!({}),
            failed: vec![],
        })
        .await
        .unwrap();
    let r = d.dispatch(t0() + mins(240)).await.unwrap();
    assert_eq!(r.delivered, 0);
    assert_eq!(lines(&path), 3);
}

#[tokio::test]
async fn retryable_failure_stays_pending_with_backoff_then_delivers() {
    let store = store_with(vec![note("k", Severity::High)]).await;
    let flaky = Arc::new(Scripted::new("flaky", ChannelKind::File).failing(2));
    let d = dispatcher(&store, vec![flaky.clone()], DispatchConfig::default());

    let r = d.dispatch(t0()).await.unwrap();
    assert_eq!((r.delivered, r.retried_later, r.failed), (0, 1, 0));
    let item = row(&store, "k").await;
    assert_eq!(item.status, OutboxStatus::Pending);
    assert_eq!(item.attempts, 1);
    assert_eq!(item.next_attempt_at, Some(t0() + TimeDelta::seconds(60)));
    let err = item.last_error.unwrap();
    assert!(err.contains("flaky") && err.contains("HTTP 503"), "{err}");

    // Before next_attempt_at: nothing happens.
    let r = d.dispatch(t0() + TimeDelta::seconds(30)).await.unwrap();
    assert_eq!((r.not_due, r.delivered, r.retried_later), (1, 0, 0));
    assert_eq!(flaky.calls(), 1);

    // Second failure: the backoff doubles.
    let t1 = t0() + TimeDelta::seconds(60);
    let r = d.dispatch(t1).await.unwrap();
    assert_eq!(r.retried_later, 1);
    let item = row(&store, "k").await;
    assert_eq!(item.attempts, 2);
    assert_eq!(item.next_attempt_at, Some(t1 + TimeDelta::seconds(120)));

    // Third try succeeds.
    let r = d.dispatch(t1 + TimeDelta::seconds(120)).await.unwrap();
    assert_eq!((r.delivered, r.completed), (1, 1));
    assert_eq!(row(&store, "k").await.status, OutboxStatus::Sent);
    assert_eq!(flaky.got(), ["k"]);
    assert_eq!(flaky.calls(), 3);
}

#[tokio::test]
async fn retry_after_hint_is_respected() {
    let store = store_with(vec![note("k", Severity::High)]).await;
    let mut s = Scripted::new("hook", ChannelKind::Webhook).failing(1);
    s.retry_after = Some(Duration::from_secs(900));
    let d = dispatcher(&store, vec![Arc::new(s)], DispatchConfig::default());
    d.dispatch(t0()).await.unwrap();
    assert_eq!(
        row(&store, "k").await.next_attempt_at,
        Some(t0() + TimeDelta::seconds(900))
    );
}

#[tokio::test]
async fn permanent_failure_marks_the_row_failed() {
    let store = store_with(vec![note("k", Severity::Critical)]).await;
    let mut s = Scripted::new("hook", ChannelKind::Webhook).failing(1);
    s.permanent = true;
    s.message = "HTTP 400: invalid payload".into();
    let s = Arc::new(s);
    let d = dispatcher(&store, vec![s.clone()], DispatchConfig::default());
    let r = d.dispatch(t0()).await.unwrap();
    assert_eq!((r.failed, r.retried_later), (1, 0));
    let item = row(&store, "k").await;
    assert_eq!(item.status, OutboxStatus::Failed);
    assert_eq!(item.next_attempt_at, None);
    assert!(item.last_error.unwrap().contains("invalid payload"));
    // Failed rows are not retried.
    let r = d.dispatch(t0() + mins(600)).await.unwrap();
    assert_eq!(r.pending, 0);
    assert_eq!(s.calls(), 1);
}

#[tokio::test]
async fn gives_up_after_max_attempts() {
    let store = store_with(vec![note("k", Severity::High)]).await;
    let s = Arc::new(Scripted::new("flaky", ChannelKind::File).failing(u32::MAX));
    let mut cfg = DispatchConfig::default();
    cfg.retry.max_attempts = 3;
    let d = dispatcher(&store, vec![s.clone()], cfg);
    let mut now = t0();
    for _ in 0..2 {
        let r = d.dispatch(now).await.unwrap();
        assert_eq!(r.retried_later, 1);
        now = row(&store, "k").await.next_attempt_at.unwrap();
    }
    let r = d.dispatch(now).await.unwrap();
    assert_eq!(r.failed, 1);
    let item = row(&store, "k").await;
    assert_eq!((item.status, item.attempts), (OutboxStatus::Failed, 3));
    assert_eq!(s.calls(), 3);
}

#[tokio::test]
async fn rate_limit_holds_rows_back_until_the_window_moves_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("n.jsonl");
    // Six medium notifications, then two critical ones (newest): critical goes first.
    let mut notes: Vec<_> = (0..6)
        .map(|i| note(&format!("m{i}"), Severity::Medium))
        .collect();
    notes.push(note("c0", Severity::Critical));
    notes.push(note("c1", Severity::Critical));
    let store = store_with(notes).await;
    let d = dispatcher(
        &store,
        vec![Arc::new(FileNotifier::new(&path))],
        DispatchConfig::default(),
    );

    let r = d.dispatch(t0()).await.unwrap();
    assert_eq!((r.delivered, r.rate_limited, r.failed), (5, 3, 0));
    assert_eq!(r.channels["file"].rate_limited, 3);
    assert_eq!(lines(&path), 5);
    let pending = store.outbox(true).await.unwrap();
    assert_eq!(pending.len(), 3);
    // Rate-limited rows are untouched: no attempt counted, no error, no wait.
    for item in &pending {
        assert_eq!((item.attempts, &item.last_error), (0, &None));
        assert_eq!(item.next_attempt_at, None);
    }
    let first: Vec<_> = read_delivered(&path)
        .unwrap()
        .into_iter()
        .map(|l| l.notification.dedupe_key)
        .collect();
    assert_eq!(first, ["c0", "c1", "m0", "m1", "m2"]);

    // Within the hour, even from another dispatcher (another process), nothing more goes out.
    let other = dispatcher(
        &store,
        vec![Arc::new(FileNotifier::new(&path))],
        DispatchConfig::default(),
    );
    let r = other.dispatch(t0() + mins(30)).await.unwrap();
    assert_eq!((r.delivered, r.rate_limited), (0, 3));

    // An hour later: the rest.
    let r = d.dispatch(t0() + mins(61)).await.unwrap();
    assert_eq!((r.delivered, r.rate_limited), (3, 0));
    assert_eq!(lines(&path), 8);
    assert!(store.outbox(true).await.unwrap().is_empty());
}

#[tokio::test]
async fn per_channel_rate_limit_override() {
    let store = store_with(
        (0..4)
            .map(|i| note(&format!("k{i}"), Severity::High))
            .collect(),
    )
    .await;
    let hook = Arc::new(Scripted::new("hook", ChannelKind::Webhook));
    let file = Arc::new(Scripted::new("inbox", ChannelKind::File));
    let mut cfg = DispatchConfig::default();
    cfg.routing.channels.insert(
        "hook".into(),
        ChannelRoute {
            rate_limit: Some(edupulse_notify::RateLimit {
                max: 1,
                window_secs: 600,
            }),
            ..ChannelRoute::default()
        },
    );
    let d = dispatcher(&store, vec![file.clone(), hook.clone()], cfg);
    let r = d.dispatch(t0()).await.unwrap();
    assert_eq!(r.channels["inbox"].delivered, 4);
    assert_eq!(
        (
            r.channels["hook"].delivered,
            r.channels["hook"].rate_limited
        ),
        (1, 3)
    );
    assert_eq!(r.completed, 1);
    // Rows delivered to the file but not the hook stay pending; the file is not sent again.
    let r = d.dispatch(t0() + mins(11)).await.unwrap();
    assert_eq!(r.channels["inbox"].delivered, 0);
    assert_eq!(r.channels["hook"].delivered, 1);
    assert_eq!(file.calls(), 4);
}

#[tokio::test]
async fn routing_by_severity() {
    let store = store_with(vec![
        note("low", Severity::Low),
        note("medium", Severity::Medium),
        note("high", Severity::High),
        note("critical", Severity::Critical),
    ])
    .await;
    let file = Arc::new(Scripted::new("file", ChannelKind::File));
    let stdout = Arc::new(Scripted::new("stdout", ChannelKind::Stdout));
    let slack = Arc::new(Scripted::new("slack", ChannelKind::Webhook));
    let sales = Arc::new(Scripted::new("sales", ChannelKind::Webhook));
    let pager = Arc::new(Scripted::new("pager", ChannelKind::Webhook));
    let mut cfg = DispatchConfig::default();
    cfg.rate_limit.max = 100;
    for (name, min) in [("sales", Severity::High), ("pager", Severity::Critical)] {
        cfg.routing.channels.insert(
            name.into(),
            ChannelRoute {
                min_severity: Some(min),
                ..ChannelRoute::default()
            },
        );
    }
    let notifiers: Vec<Arc<dyn Notifier>> = vec![
        file.clone(),
        stdout.clone(),
        slack.clone(),
        sales.clone(),
        pager.clone(),
    ];
    let d = dispatcher(&store, notifiers, cfg);
    assert_eq!(d.targets(Severity::Low), ["file", "stdout"]);
    assert_eq!(
        d.targets(Severity::Critical),
        ["file", "stdout", "slack", "sales", "pager"]
    );

    let r = d.dispatch(t0()).await.unwrap();
    assert_eq!((r.completed, r.delivered), (4, 4 + 4 + 3 + 2 + 1));
    assert_eq!(file.got(), ["critical", "high", "medium", "low"]);
    assert_eq!(stdout.got(), ["critical", "high", "medium", "low"]);
    assert_eq!(slack.got(), ["critical", "high", "medium"]);
    assert_eq!(sales.got(), ["critical", "high"]);
    assert_eq!(pager.got(), ["critical"]);
    let crit = row(&store, "critical").await;
    assert_eq!(crit.delivered_to.len(), 5);
    assert_eq!(crit.status, OutboxStatus::Sent);
}

#[tokio::test]
async fn rows_no_channel_takes_stay_pending() {
    let store = store_with(vec![note("low", Severity::Low)]).await;
    let hook = Arc::new(Scripted::new("hook", ChannelKind::Webhook));
    let d = dispatcher(&store, vec![hook.clone()], DispatchConfig::default());
    let r = d.dispatch(t0()).await.unwrap();
    assert_eq!((r.unroutable, r.delivered), (1, 0));
    assert_eq!(row(&store, "low").await.status, OutboxStatus::Pending);
    assert_eq!(hook.calls(), 0);
}

#[tokio::test]
async fn partial_delivery_retries_only_the_failed_channel() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("n.jsonl");
    let store = store_with(vec![note("k", Severity::Critical)]).await;
    let hook = Arc::new(Scripted::new("hook", ChannelKind::Webhook).failing(1));
    let d = dispatcher(
        &store,
        vec![Arc::new(FileNotifier::new(&path)), hook.clone()],
        DispatchConfig::default(),
    );
    let r = d.dispatch(t0()).await.unwrap();
    assert_eq!((r.delivered, r.retried_later, r.completed), (1, 1, 0));
    let item = row(&store, "k").await;
    assert_eq!(item.status, OutboxStatus::Pending);
    assert_eq!(item.delivered_to, ["file"]);
    assert_eq!(item.attempts, 1);

    let r = d.dispatch(t0() + mins(1)).await.unwrap();
    assert_eq!((r.delivered, r.completed), (1, 1));
    assert_eq!(r.channels["file"].delivered, 0);
    assert_eq!(r.channels["hook"].delivered, 1);
    let item = row(&store, "k").await;
    assert_eq!(item.status, OutboxStatus::Sent);
    assert_eq!(item.delivered_to, ["file", "hook"]);
    assert_eq!(lines(&path), 1);
}

#[tokio::test]
async fn a_channel_that_fails_is_left_alone_for_the_rest_of_the_run() {
    let store = store_with(vec![note("a", Severity::High), note("b", Severity::High)]).await;
    let hook = Arc::new(Scripted::new("hook", ChannelKind::Webhook).failing(1));
    let d = dispatcher(&store, vec![hook.clone()], DispatchConfig::default());
    let r = d.dispatch(t0()).await.unwrap();
    assert_eq!((r.retried_later, r.deferred), (1, 1));
    assert_eq!(hook.calls(), 1);
    let b = row(&store, "b").await;
    assert_eq!((b.attempts, b.next_attempt_at), (0, None));
    // Next run: `a` waits for its backoff, `b` goes out.
    let r = d.dispatch(t0() + TimeDelta::seconds(10)).await.unwrap();
    assert_eq!((r.not_due, r.delivered), (1, 1));
    assert_eq!(hook.got(), ["b"]);
}

#[tokio::test]
async fn crash_between_send_and_record_does_not_duplicate_the_file_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("n.jsonl");
    let n = note("k", Severity::High);
    let store = store_with(vec![n.clone()]).await;
    // A previous process appended the line and died before recording the delivery.
    FileNotifier::new(&path).send(&n).await.unwrap();
    assert_eq!(row(&store, "k").await.status, OutboxStatus::Pending);

    // The next run sends again (at-least-once); the file notifier recognises the key.
    let d = dispatcher(
        &store,
        vec![Arc::new(FileNotifier::new(&path))],
        DispatchConfig::default(),
    );
    let r = d.dispatch(t0()).await.unwrap();
    assert_eq!((r.delivered, r.completed), (1, 1));
    assert_eq!(lines(&path), 1);
    assert_eq!(row(&store, "k").await.status, OutboxStatus::Sent);
}

#[tokio::test]
async fn stored_errors_never_contain_urls_or_tokens() {
    let store = store_with(vec![note("k", Severity::High)]).await;
    let mut s = Scripted::new("slack", ChannelKind::Webhook).failing(1);
    s.message =
        "error sending request for url (https://hooks.slack.com/services/T0/B0/SECRET)".into();
    let d = dispatcher(&store, vec![Arc::new(s)], DispatchConfig::default());
    d.dispatch(t0()).await.unwrap();
    let err = row(&store, "k").await.last_error.unwrap();
    assert!(!err.contains("SECRET"), "{err}");
    assert!(err.contains("hooks.slack.com"), "{err}");
}

#[tokio::test]
async fn seeded_jitter_is_reproducible_and_bounded() {
    let mut cfg = DispatchConfig::default();
    cfg.retry.jitter = 0.5;
    cfg.retry.jitter_seed = Some(42);
    let mut waits = Vec::new();
    for _ in 0..2 {
        let store = store_with(vec![note("k", Severity::High)]).await;
        let s = Arc::new(Scripted::new("flaky", ChannelKind::File).failing(1));
        let d = dispatcher(&store, vec![s], cfg.clone());
        d.dispatch(t0()).await.unwrap();
        let next = row(&store, "k").await.next_attempt_at.unwrap();
        waits.push(next - t0());
    }
    assert_eq!(waits[0], waits[1]);
    assert!(waits[0] > TimeDelta::seconds(30) && waits[0] <= TimeDelta::seconds(60));
}

#[tokio::test]
async fn a_send_that_hangs_times_out_as_retryable() {
    let store = store_with(vec![note("k", Severity::High)]).await;
    let mut s = Scripted::new("slow", ChannelKind::Webhook);
    s.sleep = Some(Duration::from_secs(30));
    let cfg = DispatchConfig {
        send_timeout_secs: Some(1),
        ..DispatchConfig::default()
    };
    let d = dispatcher(&store, vec![Arc::new(s)], cfg);
    let r = d.dispatch(t0()).await.unwrap();
    assert_eq!(r.retried_later, 1);
    let err = row(&store, "k").await.last_error.unwrap();
    assert!(err.contains("no answer within 1 s"), "{err}");
}

#[tokio::test]
async fn report_serialises_to_json() {
    let store = store_with(vec![note("k", Severity::High)]).await;
    let s = Arc::new(Scripted::new("file", ChannelKind::File));
    let d = dispatcher(&store, vec![s], DispatchConfig::default());
    let r = d.dispatch(t0()).await.unwrap();
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["delivered"], 1);
    assert_eq!(v["channels"]["file"]["delivered"], 1);
    assert_eq!(v["at"], "2024-05-01T06:00:00Z");
    let back: edupulse_notify::DispatchReport = serde_json::from_value(v).unwrap();
    assert_eq!(back, r);
}

#[test]
fn dispatcher_rejects_bad_channel_sets() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let dup: Vec<Arc<dyn Notifier>> = vec![
        Arc::new(Scripted::new("x", ChannelKind::File)),
        Arc::new(Scripted::new("x", ChannelKind::Webhook)),
    ];
    let err = Dispatcher::new(Arc::clone(&store), dup, DispatchConfig::default()).unwrap_err();
    assert!(
        err.to_string().contains("two notifiers are named `x`"),
        "{err}"
    );

    let url: Vec<Arc<dyn Notifier>> = vec![Arc::new(Scripted::new(
        "https://hooks.slack.com/services/T/B/SECRET",
        ChannelKind::Webhook,
    ))];
    let err = Dispatcher::new(Arc::clone(&store), url, DispatchConfig::default()).unwrap_err();
    assert!(!err.to_string().contains("SECRET"), "{err}");

    let mut cfg = DispatchConfig::default();
    cfg.rate_limit.max = 0;
    assert!(Dispatcher::new(store, Vec::new(), cfg).is_err());
}

/// Issue 24 (5): a critical alert waiting for a retry keeps its slot of the channel's budget:
/// high and medium alerts due meanwhile cannot use it up, so when the critical is due again it
/// goes out at once (it used to be rate-limited for the rest of the window).
#[tokio::test]
async fn criticals_in_backoff_keep_their_slots_in_the_rate_limit() {
    let mut notes = vec![note("crit", Severity::Critical)];
    notes.extend((0..4).map(|i| note(&format!("high{i}"), Severity::High)));
    notes.extend((0..4).map(|i| note(&format!("med{i}"), Severity::Medium)));
    let store = store_with(notes).await;
    // 5 per hour; the first send (the critical, sent first) fails and is retried after 60 s.
    let ch = Arc::new(Scripted::new("hook", ChannelKind::Webhook).failing(1));
    let d = dispatcher(&store, vec![ch.clone()], DispatchConfig::default());
    let r = d.dispatch(t0()).await.unwrap();
    assert_eq!((r.retried_later, r.delivered), (1, 0), "{r:?}");
    // 30 s later the critical is in backoff; the others may use the budget but its slot.
    let r = d.dispatch(t0() + TimeDelta::seconds(30)).await.unwrap();
    assert_eq!(r.not_due, 1, "{r:?}");
    assert_eq!(
        r.delivered, 4,
        "one slot stays reserved for the critical: {r:?}"
    );
    assert_eq!(ch.got(), ["high0", "high1", "high2", "high3"]);
    // Due again within the hour: it gets its slot.
    let r = d.dispatch(t0() + mins(5)).await.unwrap();
    assert_eq!(r.delivered, 1, "{r:?}");
    assert_eq!(row(&store, "crit").await.status, OutboxStatus::Sent);
    assert_eq!(ch.got().last().map(String::as_str), Some("crit"));
}

/// Issue 24 (5): within a severity the oldest alert goes first, whatever the store's order.
#[tokio::test]
async fn within_a_severity_the_oldest_goes_first() {
    let mut newer = note("newer", Severity::High);
    newer.created_at = t0();
    let mut older = note("older", Severity::High);
    older.created_at = t0() - mins(60);
    let store = store_with(vec![newer, older, note("crit", Severity::Critical)]).await;
    let ch = Arc::new(Scripted::new("hook", ChannelKind::Webhook));
    let d = dispatcher(&store, vec![ch.clone()], DispatchConfig::default());
    d.dispatch(t0()).await.unwrap();
    assert_eq!(ch.got(), ["crit", "older", "newer"]);
}
