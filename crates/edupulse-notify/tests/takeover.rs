//! A dispatcher that finds the outbox held by another: it takes a dead holder's rows over at once
//! (same host and the process is gone, or a stale heartbeat) instead of waiting out the lease, and
//! when it does wait for a live one it says so, and why.

use chrono::{DateTime, TimeDelta, Utc};
use edupulse_core::results::{Notification, RunOutput, Severity};
use edupulse_notify::{DispatchConfig, Dispatcher, FileNotifier, Notifier};
use edupulse_sqlite::SqliteStore;
use edupulse_store::{Claimant, Store};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const LEASE: Duration = Duration::from_secs(600);

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-05-01T06:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn note(key: &str) -> Notification {
    Notification {
        dedupe_key: key.to_string(),
        kind: "trend_alert".into(),
        severity: Severity::High,
        title: format!("alert {key}"),
        body: "body".into(),
        payload: serde_json::json!({}),
        created_at: t0(),
    }
}

/// A SQLite store with three pending alerts, claimed (at `t0`, for the default 600 s lease) by
/// `holder`, as a dispatcher that then died would have left it.
async fn held_by(dir: &std::path::Path, holder: &Claimant, beat: DateTime<Utc>) -> Arc<dyn Store> {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.join("held.db")).unwrap());
    store
        .write_run(&RunOutput {
            as_of: t0(),
            results: Vec::new(),
            notifications: vec![note("a"), note("b"), note("c")],
            summary: serde_json::json!({}),
            failed: vec![],
        })
        .await
        .unwrap();
    let claimed = store.claim_outbox_as(holder, beat, LEASE).await.unwrap();
    assert_eq!(claimed.len(), 3);
    store
}

/// A dispatcher on host `host` with a file channel, whose notices are collected.
fn dispatcher(
    store: &Arc<dyn Store>,
    dir: &std::path::Path,
    host: &str,
    max_wait: Duration,
) -> (Dispatcher, Arc<Mutex<Vec<String>>>) {
    let notices = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&notices);
    let file: Arc<dyn Notifier> = Arc::new(FileNotifier::new(dir.join("out.jsonl")));
    let d = Dispatcher::new(Arc::clone(store), vec![file], DispatchConfig::default())
        .unwrap()
        .with_lease(LEASE)
        .with_max_wait(max_wait)
        .with_host(Some(host.to_string()))
        .with_notice(move |line| sink.lock().unwrap().push(line.to_string()));
    (d, notices)
}

/// The pid of a process that existed and is gone (spawned, then reaped).
fn dead_pid() -> Option<u32> {
    if !std::path::Path::new("/proc/self").exists() {
        return None;
    }
    let mut child = std::process::Command::new("true").spawn().ok()?;
    let pid = child.id();
    child.wait().ok()?;
    Some(pid)
}

#[tokio::test]
async fn a_dead_holder_on_this_host_is_taken_over_at_once() {
    let Some(pid) = dead_pid() else {
        eprintln!("skipped: cannot tell whether a process is alive here");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let holder = Claimant {
        worker: "killed-run".into(),
        host: Some("this-host".into()),
        pid: Some(pid),
    };
    // Killed one second ago, its heartbeat fresh and its lease live for ten more minutes.
    let store = held_by(dir.path(), &holder, t0()).await;
    let (d, notices) = dispatcher(&store, dir.path(), "this-host", LEASE);
    let started = Instant::now();
    let r = d.dispatch(t0() + TimeDelta::seconds(1)).await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "waited {:?} for a dead dispatcher",
        started.elapsed()
    );
    assert_eq!(r.delivered, 3, "{r:?}");
    assert_eq!(r.took_over.len(), 1, "{r:?}");
    assert!(r.took_over[0].contains("killed-run"), "{r:?}");
    assert!(r.took_over[0].contains(&format!("process {pid}")), "{r:?}");
    let notices = notices.lock().unwrap();
    assert!(
        notices.iter().any(|l| l.contains("taking over")),
        "{notices:?}"
    );
}

#[tokio::test]
async fn a_holder_on_another_host_with_a_stale_heartbeat_is_taken_over() {
    let dir = tempfile::tempdir().unwrap();
    let holder = Claimant {
        worker: "remote-run".into(),
        host: Some("other-host".into()),
        pid: Some(1),
    };
    let store = held_by(dir.path(), &holder, t0()).await;
    let (d, notices) = dispatcher(&store, dir.path(), "this-host", LEASE);
    // Five minutes without a heartbeat: dead (60 s by default), though its lease has 5 min left.
    let r = d.dispatch(t0() + TimeDelta::minutes(5)).await.unwrap();
    assert_eq!(r.delivered, 3, "{r:?}");
    assert_eq!(r.took_over.len(), 1, "{r:?}");
    assert!(r.took_over[0].contains("no heartbeat for 300 s"), "{r:?}");
    assert!(!notices.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_live_holder_is_waited_for_and_the_wait_is_said() {
    let dir = tempfile::tempdir().unwrap();
    // Another dispatcher of this very process (alive), heartbeat fresh.
    let holder = Claimant {
        worker: "busy-run".into(),
        host: Some("this-host".into()),
        pid: Some(std::process::id()),
    };
    let store = held_by(dir.path(), &holder, t0()).await;
    let (d, notices) = dispatcher(&store, dir.path(), "this-host", Duration::from_millis(600));
    let r = d.dispatch(t0() + TimeDelta::seconds(5)).await.unwrap();
    assert_eq!(r.delivered, 0, "{r:?}");
    assert!(r.took_over.is_empty(), "{r:?}");
    assert!(r.waited_ms >= 500, "{r:?}");
    let why = r.wait_reason.clone().unwrap_or_default();
    assert!(why.contains("busy-run"), "{why}");
    assert!(why.contains("heartbeat"), "{why}");
    assert!(why.contains("gave up"), "{why}");
    let notices = notices.lock().unwrap();
    assert!(
        notices
            .iter()
            .any(|l| l.starts_with("waiting") && l.contains("busy-run")),
        "{notices:?}"
    );
    assert!(notices.iter().any(|l| l.contains("gave up")), "{notices:?}");
    // The report says it too (JSON for the CLI summary).
    let json = serde_json::to_value(&r).unwrap();
    assert!(json["wait_reason"].as_str().unwrap().contains("busy-run"));
}

#[tokio::test]
async fn a_delivering_dispatcher_keeps_its_heartbeat_fresh() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path().join("beat.db")).unwrap());
    store
        .write_run(&RunOutput {
            as_of: t0(),
            results: Vec::new(),
            notifications: vec![note("slow")],
            summary: serde_json::json!({}),
            failed: vec![],
        })
        .await
        .unwrap();
    // A channel that takes 700 ms to answer; the heartbeat beats every 100 ms meanwhile.
    #[derive(Debug)]
    struct Slow;
    #[async_trait::async_trait]
    impl Notifier for Slow {
        fn name(&self) -> &str {
            "slow"
        }
        fn kind(&self) -> edupulse_notify::ChannelKind {
            edupulse_notify::ChannelKind::File
        }
        async fn send(&self, _: &Notification) -> Result<(), edupulse_notify::NotifyError> {
            tokio::time::sleep(Duration::from_millis(700)).await;
            Ok(())
        }
    }
    let d = Arc::new(
        Dispatcher::new(
            Arc::clone(&store),
            vec![Arc::new(Slow)],
            DispatchConfig::default(),
        )
        .unwrap()
        .with_heartbeat(Duration::from_millis(100)),
    );
    let d2 = Arc::clone(&d);
    let task = tokio::spawn(async move { d2.dispatch(t0()).await });
    tokio::time::sleep(Duration::from_millis(450)).await;
    let holders = store.claim_holders(t0()).await.unwrap();
    assert_eq!(holders.len(), 1, "{holders:?}");
    let beat = holders[0].heartbeat_at.unwrap();
    assert!(
        beat >= t0() + TimeDelta::milliseconds(200),
        "heartbeat not renewed during a long send: {beat}"
    );
    let r = task.await.unwrap().unwrap();
    assert_eq!(r.delivered, 1);
}
