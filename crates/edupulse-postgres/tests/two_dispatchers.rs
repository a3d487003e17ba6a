//! Two dispatchers (as two `edupulse run` processes would) deliver one PostgreSQL outbox at the
//! same time: every notification is delivered exactly once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use async_trait::async_trait;
use chrono::{TimeZone, Utc};
use edupulse_core::results::{Notification, OutboxStatus, RunOutput, Severity};
use edupulse_notify::{ChannelKind, DispatchConfig, Dispatcher, Notifier, NotifyError, RateLimit};
use edupulse_postgres::testing::{test_url, unique_schema, with_schema};
use edupulse_postgres::PostgresStore;
use edupulse_store::Store;
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A channel that records every key it receives (shared by both "processes", like a webhook).
struct Recorder {
    got: Arc<Mutex<Vec<String>>>,
}

#[async_trait]
impl Notifier for Recorder {
    fn name(&self) -> &str {
        "inbox"
    }
    fn kind(&self) -> ChannelKind {
        ChannelKind::File
    }
    async fn send(&self, n: &Notification) -> Result<(), NotifyError> {
        // Slow enough for the two dispatchers to overlap.
        tokio::time::sleep(Duration::from_millis(5)).await;
        self.got.lock().unwrap().push(n.dedupe_key.clone());
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_concurrent_dispatchers_never_deliver_twice() {
    let (url, _server) = test_url();
    let url = with_schema(&url, &unique_schema("twodisp"));
    let a = PostgresStore::connect(&url).await.unwrap();
    let b = PostgresStore::connect(&url).await.unwrap();
    let created = Utc.with_ymd_and_hms(2024, 5, 1, 6, 0, 0).unwrap();
    let notes: Vec<Notification> = (0..60)
        .map(|i| Notification {
            dedupe_key: format!("alert:{i:03}"),
            kind: "trend".into(),
            severity: Severity::High,
            title: format!("alert {i}"),
            body: "b".into(),
            payload: json!({"i": i}),
            created_at: created,
        })
        .collect();
    a.write_run(&RunOutput {
        as_of: created,
        results: vec![],
        notifications: notes.clone(),
        summary: json!({}),
        failed: vec![],
    })
    .await
    .unwrap();
    let got = Arc::new(Mutex::new(Vec::new()));
    let cfg = DispatchConfig {
        rate_limit: RateLimit {
            max: 1000,
            window_secs: 3600,
        },
        ..DispatchConfig::default()
    };
    let make = |store: PostgresStore| {
        Dispatcher::new(
            Arc::new(store) as Arc<dyn Store>,
            vec![Arc::new(Recorder { got: got.clone() }) as Arc<dyn Notifier>],
            cfg.clone(),
        )
        .unwrap()
    };
    let (da, db) = (Arc::new(make(a)), Arc::new(make(b)));
    let now = Utc.with_ymd_and_hms(2024, 5, 1, 7, 0, 0).unwrap();
    let (ra, rb) = tokio::join!(
        {
            let d = da.clone();
            async move { d.dispatch(now).await.unwrap() }
        },
        {
            let d = db.clone();
            async move { d.dispatch(now).await.unwrap() }
        }
    );
    let mut keys = got.lock().unwrap().clone();
    let total = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(total, keys.len(), "a notification was delivered twice");
    assert_eq!(keys.len(), notes.len(), "a notification was lost");
    assert_eq!((ra.delivered + rb.delivered) as usize, notes.len());
    // Both did some work only if they overlapped; either way the outbox is all sent.
    let check = PostgresStore::connect(&url).await.unwrap();
    let outbox = check.outbox(false).await.unwrap();
    assert!(outbox.iter().all(|i| i.status == OutboxStatus::Sent));
    // A second round delivers nothing.
    let r = da.dispatch(now).await.unwrap();
    assert_eq!(r.delivered, 0);
    assert_eq!(got.lock().unwrap().len(), notes.len());
}

/// A dispatch that lasts longer than its lease renews the claim, so a second dispatcher started
/// meanwhile waits instead of taking the rows over (and sending them a second time).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_dispatch_longer_than_its_lease_keeps_its_rows() {
    struct Slow {
        got: Arc<Mutex<Vec<String>>>,
    }
    #[async_trait]
    impl Notifier for Slow {
        fn name(&self) -> &str {
            "inbox"
        }
        fn kind(&self) -> ChannelKind {
            ChannelKind::File
        }
        async fn send(&self, n: &Notification) -> Result<(), NotifyError> {
            tokio::time::sleep(Duration::from_millis(250)).await;
            self.got.lock().unwrap().push(n.dedupe_key.clone());
            Ok(())
        }
    }
    let (url, _server) = test_url();
    let url = with_schema(&url, &unique_schema("lease"));
    let a: Arc<dyn Store> = Arc::new(PostgresStore::connect(&url).await.unwrap());
    let b: Arc<dyn Store> = Arc::new(PostgresStore::connect(&url).await.unwrap());
    let now = Utc::now();
    let notes: Vec<Notification> = (0..12)
        .map(|i| Notification {
            dedupe_key: format!("slow:{i:02}"),
            kind: "trend".into(),
            severity: Severity::High,
            title: format!("alert {i}"),
            body: "b".into(),
            payload: json!({}),
            created_at: now,
        })
        .collect();
    a.write_run(&RunOutput {
        as_of: now,
        results: vec![],
        notifications: notes.clone(),
        summary: json!({}),
        failed: vec![],
    })
    .await
    .unwrap();
    let got = Arc::new(Mutex::new(Vec::new()));
    let cfg = DispatchConfig {
        rate_limit: RateLimit {
            max: 1000,
            window_secs: 3600,
        },
        ..DispatchConfig::default()
    };
    let lease = Duration::from_secs(1);
    let make = |store: Arc<dyn Store>| {
        let n: Arc<dyn Notifier> = Arc::new(Slow { got: got.clone() });
        Dispatcher::new(store, vec![n], cfg.clone())
            .unwrap()
            .with_lease(lease)
            .with_max_wait(Duration::from_secs(30))
    };
    let (da, db) = (make(a.clone()), make(b.clone()));
    // 12 × 250 ms = 3 s: three leases.
    let first = tokio::spawn(async move { da.dispatch(Utc::now()).await });
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let second = db.dispatch(Utc::now()).await.unwrap();
    let first = first.await.unwrap().unwrap();
    assert!(!first.lost_claim, "{first:?}");
    assert_eq!(first.delivered, 12, "{first:?}");
    assert!(second.waited_ms > 0, "{second:?}");
    assert_eq!(second.delivered, 0, "{second:?}");
    let mut keys = got.lock().unwrap().clone();
    assert_eq!(keys.len(), 12, "{keys:?}");
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 12, "a row was delivered twice");
}
