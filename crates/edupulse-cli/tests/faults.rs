//! Fault tests of the `edupulse` binary: `ingest` killed with SIGKILL mid-way leaves all or
//! nothing of the folder (SQLite and PostgreSQL); a PostgreSQL restart between runs; bad
//! PostgreSQL URLs and logins give the documented exit codes without the password.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use edupulse::core::simulate::{simulate, SimConfig};
use edupulse_postgres::testing::{test_url, unique_schema, with_schema, TestServer};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Instant;

fn edupulse(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_edupulse"))
        .args(args)
        .output()
        .expect("run edupulse")
}

fn summary(out: &Output) -> Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(last).unwrap_or_else(|e| panic!("last line is not JSON ({e}): {stdout}"))
}

/// Row counts of the input tables of a store (through the library).
fn input_counts(url: &str) -> BTreeMap<String, u64> {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = edupulse::open_store(url).await.unwrap();
        let mut c = store.counts().await.unwrap();
        c.retain(|k, _| edupulse::core::model::Table::from_name(k).is_some());
        c
    })
}

fn write_data(dir: &Path, students: usize) {
    let tables = simulate(&SimConfig {
        students,
        seed: 9,
        ..SimConfig::default()
    })
    .unwrap();
    edupulse::core::csvio::write_dir(&tables, dir).unwrap();
}

/// Kill `ingest` at increasing delays; each time the store holds all of the folder or none.
fn kill_ingest_all_or_nothing(data: &Path, url_for: impl Fn(usize) -> String) {
    // How long a whole ingest takes here, to aim the kills inside it.
    let url0 = url_for(0);
    let t0 = Instant::now();
    let out = edupulse(&["ingest", "--store", &url0, data.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let full = t0.elapsed();
    let want = input_counts(&url0);
    assert!(want.values().sum::<u64>() > 10_000, "{want:?}");
    let mut killed_mid_way = 0;
    for (i, frac) in [0.3, 0.5, 0.7, 0.85, 0.95].iter().enumerate() {
        let url = url_for(i + 1);
        // Open (create and migrate) the store first, so the kill lands in the ingest itself.
        let empty = input_counts(&url);
        assert!(empty.values().all(|&n| n == 0));
        let mut child = Command::new(env!("CARGO_BIN_EXE_edupulse"))
            .args(["ingest", "--store", &url, data.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(full.mul_f64(*frac));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            killed_mid_way += 1;
        }
        let status = child.wait().unwrap();
        let got = input_counts(&url);
        let none = got.values().all(|&n| n == 0);
        assert!(
            none || got == want,
            "kill at {frac} of the ingest (status {status:?}) left part of the data: {got:?}"
        );
    }
    assert!(
        killed_mid_way > 0,
        "no ingest was still running when killed"
    );
}

#[test]
fn sigkill_during_ingest_leaves_all_or_nothing_in_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    write_data(&data, 1500);
    let base = dir.path().to_path_buf();
    kill_ingest_all_or_nothing(&data, |i| {
        format!("sqlite://{}", base.join(format!("k{i}.db")).display())
    });
}

#[test]
fn sigkill_during_ingest_leaves_all_or_nothing_in_postgres() {
    let (url, _server) = test_url();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    write_data(&data, 1500);
    let prefix = unique_schema("kill");
    kill_ingest_all_or_nothing(&data, |i| with_schema(&url, &format!("{prefix}_{i}")));
}

#[test]
fn a_postgres_restart_between_runs_does_not_break_the_next_run() {
    let mut server = TestServer::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = server.url();
    let out = edupulse(&[
        "demo",
        "--dir",
        dir.path().to_str().unwrap(),
        "--students",
        "150",
        "--store",
        &url,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first = summary(&out);
    server.stop().unwrap();
    // While it is down: exit 2, the host named, no password.
    let down = edupulse(&["run", "--store", &url, "--as-of", "2025-12-31"]);
    assert_eq!(down.status.code(), Some(2));
    let err = summary(&down)["error"].as_str().unwrap().to_string();
    assert!(err.contains("127.0.0.1"), "{err}");
    assert!(
        !err.contains(edupulse_postgres::testing::TEST_PASSWORD),
        "{err}"
    );
    server.start_again().unwrap();
    let again = edupulse(&[
        "demo",
        "--dir",
        dir.path().to_str().unwrap(),
        "--students",
        "150",
        "--store",
        &url,
    ]);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(
        summary(&again)["counts"],
        first["counts"],
        "a re-run changes no row count"
    );
}

#[test]
fn bad_postgres_urls_and_logins_have_the_documented_exit_codes() {
    let (url, _server) = test_url();
    let parsed = match edupulse::StoreUrl::parse(&url).unwrap() {
        edupulse::StoreUrl::Postgres(p) => p,
        _ => unreachable!(),
    };
    let wrong = format!(
        "postgres://{}:N0tThePassw0rd@{}:{}/{}",
        parsed.user.clone().unwrap_or_default(),
        parsed.host,
        parsed.port,
        parsed.database
    );
    let out = edupulse(&["run", "--store", &wrong, "--as-of", "2025-12-31"]);
    assert_eq!(out.status.code(), Some(2));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains(&parsed.host) && text.contains("password authentication failed"),
        "{text}"
    );
    assert!(!text.contains("N0tThePassw0rd"), "{text}");

    let out = edupulse(&[
        "run",
        "--store",
        "postgres://u:N0tThePassw0rd@:x/db",
        "--as-of",
        "2025-12-31",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(!text.contains("N0tThePassw0rd"), "{text}");

    // Unreachable servers (exit 2) and malformed URLs (exit 1): the host named, never the
    // password.
    for (url, code, needle) in [
        (
            "postgres://u:N0tThePassw0rd@db.example.invalid:5432/x",
            2,
            "db.example.invalid",
        ),
        (
            "postgres://u:N0tThePassw0rd@127.0.0.1:1/x",
            2,
            "127.0.0.1:1",
        ),
        ("postgres://u:N0tThePassw0rd@dbhost:port/x", 1, "dbhost"),
        (
            "postgres://u:N0tThePassw0rd@dbhost:5432",
            1,
            "missing database",
        ),
    ] {
        let out = edupulse(&["run", "--store", url, "--as-of", "2025-12-31"]);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.status.code(), Some(code), "{url}: {text}");
        assert!(text.contains(needle), "{url}: {text}");
        assert!(!text.contains("N0tThePassw0rd"), "{text}");
    }
}

/// A local webhook receiver for the fault tests: counts the requests it accepts by their
/// `Idempotency-Key` (the dedupe key), answers with a settable status, and can be made slow.
struct Hook {
    port: u16,
    state: std::sync::Arc<std::sync::Mutex<HookState>>,
}

#[derive(Default)]
struct HookState {
    /// Accepted (2xx) deliveries per dedupe key.
    accepted: BTreeMap<String, usize>,
    /// Every request, whatever the answer.
    requests: usize,
    /// The status answered (200 unless set; 0: hang for the delay and close without answering).
    status: u16,
    /// Delay before answering.
    delay_ms: u64,
    /// Request heads received (for secret checks).
    heads: Vec<String>,
}

impl Hook {
    fn start() -> Hook {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = std::sync::Arc::new(std::sync::Mutex::new(HookState {
            status: 200,
            ..HookState::default()
        }));
        let st = state.clone();
        std::thread::spawn(move || {
            for sock in listener.incoming() {
                let Ok(mut sock) = sock else { return };
                let st = st.clone();
                std::thread::spawn(move || {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 8192];
                    let (head_end, len) = loop {
                        let n = match sock.read(&mut chunk) {
                            Ok(0) | Err(_) => return,
                            Ok(n) => n,
                        };
                        buf.extend_from_slice(&chunk[..n]);
                        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            let head = String::from_utf8_lossy(&buf[..pos]).to_string();
                            let len = head
                                .lines()
                                .find_map(|l| {
                                    let (k, v) = l.split_once(':')?;
                                    k.eq_ignore_ascii_case("content-length")
                                        .then(|| v.trim().parse::<usize>().ok())?
                                })
                                .unwrap_or(0);
                            break (pos + 4, len);
                        }
                    };
                    while buf.len() < head_end + len {
                        match sock.read(&mut chunk) {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                    let key = head
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("idempotency-key")
                                .then(|| v.trim().to_string())
                        })
                        .unwrap_or_default();
                    let (status, delay) = {
                        let mut s = st.lock().unwrap();
                        s.requests += 1;
                        s.heads.push(head);
                        (s.status, s.delay_ms)
                    };
                    std::thread::sleep(std::time::Duration::from_millis(delay));
                    if status == 0 {
                        // Hang: no answer at all, then hang up.
                        return;
                    }
                    if (200..300).contains(&status) {
                        *st.lock().unwrap().accepted.entry(key).or_default() += 1;
                    }
                    let resp = format!(
                        "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                    );
                    let _ = sock.write_all(resp.as_bytes());
                });
            }
        });
        Hook { port, state }
    }

    /// The webhook URL, with a secret in its path as Slack's have.
    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hooks/{HOOK_SECRET}", self.port)
    }

    fn set(&self, status: u16, delay_ms: u64) {
        let mut s = self.state.lock().unwrap();
        s.status = status;
        s.delay_ms = delay_ms;
    }

    fn accepted(&self) -> BTreeMap<String, usize> {
        self.state.lock().unwrap().accepted.clone()
    }

    fn requests(&self) -> usize {
        self.state.lock().unwrap().requests
    }
}

/// The secret part of the test webhook's URL; it must never appear in any output.
const HOOK_SECRET: &str = "T0KEN-s3cr3t-9f8e7d";

/// The end of the simulated history of `write_data` (as an RFC 3339 instant).
fn sim_as_of() -> String {
    let end = SimConfig::default().end_date();
    (edupulse::core::model::date_to_datetime(end) - chrono::Duration::seconds(1)).to_rfc3339()
}

/// The steps the delivery fault tests run. They test the outbox and its dispatch, not the
/// analytics, so they run the steps that write alerts (churn alone writes about 30 on 1,500
/// simulated students) and skip the model fits of leads, demand and forecast, which took most of
/// each run's time; `tests/cli.rs` runs the whole job.
const ALERT_STEPS: [&str; 2] = ["--steps", "kpis,trends,churn,experiments"];

/// Start `edupulse run` on `url` with the webhook in the environment (not waiting for it).
fn spawn_run(url: &str, hook: &Hook, extra: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_edupulse"))
        .args(["run", "--store", url, "--as-of", &sim_as_of()])
        .args(ALERT_STEPS)
        .args(extra)
        .env("EDUPULSE_WEBHOOK_URL", hook.url())
        .env("EDUPULSE_WEBHOOK_FORMAT", "json")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The outbox of a store: dedupe key → (severity, channels delivered to).
fn outbox(url: &str) -> BTreeMap<String, (edupulse::core::results::Severity, Vec<String>)> {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = edupulse::open_store(url).await.unwrap();
        store
            .outbox(false)
            .await
            .unwrap()
            .into_iter()
            .map(|o| {
                (
                    o.notification.dedupe_key.clone(),
                    (o.notification.severity, o.delivered_to),
                )
            })
            .collect()
    })
}

/// Ingest a simulated business into `url`, then run two `edupulse run` processes at once with the
/// same webhook: no dedupe key reaches the webhook twice, and every alert routed to it arrives.
fn two_concurrent_runs_deliver_each_alert_once(url: &str, data: &Path, config: &Path) {
    let out = edupulse(&["ingest", "--store", url, data.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hook = Hook::start();
    // Slow answers widen the window in which both dispatchers work on the outbox.
    hook.set(200, 20);
    let cfg = ["--config", config.to_str().unwrap()];
    let a = spawn_run(url, &hook, &cfg);
    let b = spawn_run(url, &hook, &cfg);
    let outs = [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()];
    let mut delivered_by = Vec::new();
    for o in &outs {
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(o.status.success(), "{text}");
        assert!(!text.contains(HOOK_SECRET), "{text}");
        delivered_by.push(summary(o)["delivery"]["channels"]["webhook"]["delivered"].clone());
    }
    let accepted = hook.accepted();
    let twice: Vec<_> = accepted.iter().filter(|(_, &n)| n > 1).collect();
    assert!(twice.is_empty(), "delivered more than once: {twice:?}");
    let outbox = outbox(url);
    let routed: Vec<&String> = outbox.keys().collect();
    assert!(
        routed.len() >= 20,
        "too few alerts for the test: {outbox:?}"
    );
    let got: Vec<&String> = accepted.keys().collect();
    assert_eq!(
        got, routed,
        "webhook deliveries (by process: {delivered_by:?})"
    );
    for (k, (_, to)) in &outbox {
        if routed.contains(&k) {
            assert_eq!(
                to.iter().filter(|c| *c == "webhook").count(),
                1,
                "{k}: {to:?}"
            );
        }
    }
    assert_eq!(hook.requests(), routed.len());
    eprintln!(
        "{} alerts to the webhook; delivered by the two processes: {delivered_by:?}",
        routed.len()
    );
}

/// A config file sending every alert (low included) to the webhook, without a rate limit.
fn unlimited_webhook_config(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("edupulse.toml");
    std::fs::write(
        &path,
        "[notify.channels.webhook]\nlocal = true\nrate_limit = { max = 100000, window_secs = 3600 }\n",
    )
    .unwrap();
    path
}

#[test]
fn two_concurrent_run_processes_on_postgres_deliver_each_alert_once() {
    let (url, _server) = test_url();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    write_data(&data, 1500);
    let url = with_schema(&url, &unique_schema("two_runs"));
    let config = unlimited_webhook_config(dir.path());
    two_concurrent_runs_deliver_each_alert_once(&url, &data, &config);
}

#[test]
fn two_concurrent_run_processes_on_one_sqlite_file_deliver_each_alert_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    write_data(&data, 1500);
    let url = format!("sqlite://{}", dir.path().join("shared.db").display());
    let config = unlimited_webhook_config(dir.path());
    two_concurrent_runs_deliver_each_alert_once(&url, &data, &config);
    // Both processes wrote the default inbox file beside the database: each alert once.
    let inbox = std::fs::read_to_string(dir.path().join("notifications.jsonl")).unwrap();
    let mut keys: Vec<String> = inbox
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["notification"]["dedupe_key"]
                .as_str()
                .or_else(|| v["dedupe_key"].as_str())
                .unwrap()
                .to_string()
        })
        .collect();
    let n = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), n, "the inbox file has a line twice");
    assert_eq!(n, outbox(&url).len());
}

/// Two concurrent runs for different days (so each writes alerts of its own) with the default
/// webhook rate limit (5 per hour): together they send at most 5.
fn concurrent_runs_share_the_rate_limit(url: &str, data: &Path) {
    let out = edupulse(&["ingest", "--store", url, data.to_str().unwrap()]);
    assert!(out.status.success());
    let hook = Hook::start();
    hook.set(200, 50);
    let end = SimConfig::default().end_date();
    let mut children = Vec::new();
    for days_back in [1, 8, 15] {
        let as_of = (edupulse::core::model::date_to_datetime(end)
            - chrono::Duration::days(days_back))
        .to_rfc3339();
        children.push(
            Command::new(env!("CARGO_BIN_EXE_edupulse"))
                .args(["run", "--store", url, "--as-of", &as_of])
                .args(ALERT_STEPS)
                .env("EDUPULSE_WEBHOOK_URL", hook.url())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap(),
        );
    }
    for c in children {
        let o = c.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        eprintln!("{}", summary(&o)["delivery"]["channels"]["webhook"]);
    }
    let accepted = hook.accepted();
    assert!(accepted.values().all(|&n| n == 1), "{accepted:?}");
    assert!(
        accepted.len() <= 5,
        "{} webhook deliveries within the hour: {accepted:?}",
        accepted.len()
    );
}

#[test]
fn concurrent_runs_on_postgres_share_the_rate_limit() {
    let (url, _server) = test_url();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    write_data(&data, 1500);
    concurrent_runs_share_the_rate_limit(&with_schema(&url, &unique_schema("rate")), &data);
}

#[test]
fn concurrent_runs_on_sqlite_share_the_rate_limit() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    write_data(&data, 1500);
    let url = format!("sqlite://{}", dir.path().join("rate.db").display());
    concurrent_runs_share_the_rate_limit(&url, &data);
}

/// Every text a run shows: stdout and stderr.
fn shown(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The token of the config-file webhook; it must never appear in any output either.
const TOKEN_SECRET: &str = "tok-Zq81-h1dden";

/// A webhook configured in `edupulse.toml` (URL and token in the file) that hangs during the
/// first run and fails during the second: nothing is lost — the third run delivers every alert,
/// each once — and neither secret appears in any output, summary or stored error.
fn webhook_down_then_up(url: &str, data: &Path, dir: &Path) {
    let out = edupulse(&["ingest", "--store", url, data.to_str().unwrap()]);
    assert!(out.status.success(), "{}", shown(&out));
    let hook = Hook::start();
    let config = dir.join("edupulse.toml");
    std::fs::write(
        &config,
        format!(
            r#"[notify.retry]
backoff_base_secs = 1
backoff_cap_secs = 1

[notify.channels.ops-hook]
local = true

[[notify.webhook]]
name = "ops-hook"
kind = "json"
url = "{}"
secret = "{TOKEN_SECRET}"
header = "X-Edupulse-Token"
timeout_secs = 1
rate_limit = {{ max = 100000, window_secs = 3600 }}
"#,
            hook.url()
        ),
    )
    .unwrap();
    let run = || {
        let o = Command::new(env!("CARGO_BIN_EXE_edupulse"))
            .args(["run", "--store", url, "--as-of", &sim_as_of()])
            .args(ALERT_STEPS)
            .args(["--config", config.to_str().unwrap()])
            .output()
            .unwrap();
        let text = shown(&o);
        assert!(o.status.success(), "{text}");
        for secret in [HOOK_SECRET, TOKEN_SECRET] {
            assert!(!text.contains(secret), "{text}");
        }
        summary(&o)["delivery"]["channels"]["ops-hook"].clone()
    };
    let stored_errors = || -> Vec<String> {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let store = edupulse::open_store(url).await.unwrap();
            store
                .outbox(false)
                .await
                .unwrap()
                .into_iter()
                .filter_map(|o| o.last_error)
                .collect()
        })
    };
    // 1. The webhook hangs: the request times out, the row waits for a retry.
    hook.set(0, 3_000);
    let first = run();
    assert_eq!(first["delivered"], 0, "{first}");
    assert_eq!(first["retried_later"], 1, "{first}");
    let errors = stored_errors();
    assert!(errors.iter().any(|e| e.contains("timed out")), "{errors:?}");
    // 2. It answers 500.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    hook.set(500, 0);
    let second = run();
    assert_eq!(second["delivered"], 0, "{second}");
    assert_eq!(second["retried_later"], 1, "{second}");
    let errors = stored_errors();
    assert!(
        errors.iter().any(|e| e.contains("HTTP 500 from 127.0.0.1")),
        "{errors:?}"
    );
    for e in &errors {
        assert!(!e.contains(HOOK_SECRET) && !e.contains(TOKEN_SECRET), "{e}");
    }
    assert!(hook.accepted().is_empty());
    // 3. It is back: every alert once.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    hook.set(200, 0);
    let third = run();
    let outbox = outbox(url);
    assert!(outbox.len() >= 5, "{outbox:?}");
    assert_eq!(third["delivered"].as_u64().unwrap(), outbox.len() as u64);
    let accepted = hook.accepted();
    assert_eq!(
        accepted.keys().collect::<Vec<_>>(),
        outbox.keys().collect::<Vec<_>>()
    );
    assert!(accepted.values().all(|&n| n == 1), "{accepted:?}");
    // 4. Nothing more afterwards.
    let fourth = run();
    assert_eq!(fourth["delivered"], 0, "{fourth}");
    assert_eq!(hook.accepted(), accepted);
    // The token went in its header with every request.
    let heads = hook.state.lock().unwrap().heads.clone();
    assert!(heads
        .iter()
        .all(|h| h.to_ascii_lowercase().contains(&format!(
            "x-edupulse-token: {}",
            TOKEN_SECRET.to_ascii_lowercase()
        ))));
}

#[test]
fn webhook_down_in_early_runs_then_every_alert_once_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    write_data(&data, 400);
    let url = format!("sqlite://{}", dir.path().join("down.db").display());
    webhook_down_then_up(&url, &data, dir.path());
}

#[test]
fn webhook_down_in_early_runs_then_every_alert_once_on_postgres() {
    let (url, _server) = test_url();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    write_data(&data, 400);
    let url = with_schema(&url, &unique_schema("down"));
    webhook_down_then_up(&url, &data, dir.path());
}

#[test]
fn config_errors_and_help_never_show_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("c.db").display());
    let secret_url = format!("https://hooks.example.test/services/{HOOK_SECRET}");
    // --help with the secrets in the environment.
    let help = Command::new(env!("CARGO_BIN_EXE_edupulse"))
        .args(["run", "--help"])
        .env("EDUPULSE_WEBHOOK_URL", &secret_url)
        .env("EDUPULSE_WEBHOOK_SECRET", TOKEN_SECRET)
        .output()
        .unwrap();
    assert!(help.status.success());
    let text = shown(&help);
    assert!(
        text.contains("--config") && text.contains("EDUPULSE_WEBHOOK_URL"),
        "{text}"
    );
    assert!(
        !text.contains(HOOK_SECRET) && !text.contains(TOKEN_SECRET),
        "{text}"
    );
    // Bad config files: exit 1, the file and the setting named, never a value.
    let cases: [(&str, &[&str]); 5] = [
        // A secret where a number belongs: serde would quote it.
        (
            "[[notify.webhook]]\nurl = \"URL\"\ntimeout_secs = \"URL\"\n",
            &["line 3", "timeout_secs"],
        ),
        // Not TOML at all on the secret's line.
        ("[[notify.webhook]]\nurl = URL\n", &["line 2"]),
        (
            "[[notify.webhook]]\nname = \"a\"\nurl = \"URL\"\nsecret = \"TOKEN\"\nsecret_env = \"X\"\n",
            &["notify.webhook `a`", "not both"],
        ),
        (
            "[[notify.webhook]]\nurl = \"htps:/URL\"\nsecret = \"TOKEN\"\n",
            &["webhook `webhook` url", "http:// or https://"],
        ),
        (
            "[notify]\nwebhooks = \"URL\"\n",
            &["unknown field", "webhooks"],
        ),
    ];
    for (toml, needles) in cases {
        let path = dir.path().join("bad.toml");
        std::fs::write(
            &path,
            toml.replace("URL", &secret_url)
                .replace("TOKEN", TOKEN_SECRET),
        )
        .unwrap();
        let out = edupulse(&[
            "run",
            "--store",
            &url,
            "--as-of",
            "2025-12-31",
            "--config",
            path.to_str().unwrap(),
        ]);
        let text = shown(&out);
        assert_eq!(out.status.code(), Some(1), "{toml}: {text}");
        for n in needles {
            assert!(text.contains(n), "{toml}: `{n}` not in {text}");
        }
        assert!(
            !text.contains(HOOK_SECRET) && !text.contains(TOKEN_SECRET),
            "{text}"
        );
    }
    // EDUPULSE_CONFIG is read when --config is absent.
    let path = dir.path().join("env.toml");
    std::fs::write(&path, "[notify.retry]\nmax_attempts = 0\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_edupulse"))
        .args(["run", "--store", &url, "--as-of", "2025-12-31"])
        .env("EDUPULSE_CONFIG", &path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", shown(&out));
    assert!(
        shown(&out).contains("retry.max_attempts"),
        "{}",
        shown(&out)
    );
}

/// `edupulse run` killed with SIGKILL while it delivers: the next run (after the dead one's
/// lease) delivers every remaining alert. At most the one alert in flight at the kill reaches
/// the webhook twice (at-least-once delivery; it carries its dedupe key as `Idempotency-Key`).
fn sigkill_during_dispatch_loses_nothing(url: &str, data: &Path, dir: &Path) {
    let out = edupulse(&["ingest", "--store", url, data.to_str().unwrap()]);
    assert!(out.status.success(), "{}", shown(&out));
    let config = dir.join("edupulse.toml");
    std::fs::write(
        &config,
        "[notify]\nlease_secs = 2\n\n[notify.channels.webhook]\nlocal = true\n\
         rate_limit = { max = 100000, window_secs = 3600 }\n",
    )
    .unwrap();
    let hook = Hook::start();
    hook.set(200, 300);
    let cfg = ["--config", config.to_str().unwrap()];
    let mut child = spawn_run(url, &hook, &cfg);
    let t0 = Instant::now();
    while hook.requests() < 3 {
        assert!(t0.elapsed().as_secs() < 120, "the run sent nothing");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL, mid-dispatch
    child.wait().unwrap();
    let before = hook.accepted().values().sum::<usize>();
    std::thread::sleep(std::time::Duration::from_millis(400));
    hook.set(200, 0);
    let o = spawn_run(url, &hook, &cfg).wait_with_output().unwrap();
    assert!(o.status.success(), "{}", shown(&o));
    let outbox = outbox(url);
    let accepted = hook.accepted();
    assert_eq!(
        accepted.keys().collect::<Vec<_>>(),
        outbox.keys().collect::<Vec<_>>(),
        "every alert arrived"
    );
    let twice = accepted.values().filter(|&&n| n == 2).count();
    assert!(
        accepted.values().all(|&n| n <= 2) && twice <= 1,
        "more than the in-flight alert was repeated: {accepted:?}"
    );
    assert!(
        before < outbox.len(),
        "the kill came too late to test anything"
    );
    for (k, (_, to)) in &outbox {
        assert!(to.contains(&"webhook".to_string()), "{k}: {to:?}");
    }
}

#[test]
fn sigkill_during_dispatch_loses_nothing_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    write_data(&data, 400);
    let url = format!("sqlite://{}", dir.path().join("kill.db").display());
    sigkill_during_dispatch_loses_nothing(&url, &data, dir.path());
}

#[test]
fn sigkill_during_dispatch_loses_nothing_on_postgres() {
    let (url, _server) = test_url();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    write_data(&data, 400);
    let url = with_schema(&url, &unique_schema("killrun"));
    sigkill_during_dispatch_loses_nothing(&url, &data, dir.path());
}

/// Issue 24 (1): `edupulse run` killed with SIGKILL while it delivers, under the default 600 s
/// lease: the next run on the same host sees that the holder's process is gone and takes its
/// rows over at once (it used to wait out the whole lease, silently), and says so on stderr.
#[test]
fn sigkill_during_dispatch_next_run_takes_over_without_waiting_out_the_lease() {
    if !Path::new("/proc/self").exists() {
        eprintln!("skipped: no /proc to tell whether a process is alive");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    write_data(&data, 400);
    let url = format!("sqlite://{}", dir.path().join("kill600.db").display());
    let out = edupulse(&["ingest", "--store", &url, data.to_str().unwrap()]);
    assert!(out.status.success(), "{}", shown(&out));
    let config = dir.path().join("edupulse.toml");
    std::fs::write(
        &config,
        "[notify.channels.webhook]\nlocal = true\n\
         rate_limit = { max = 100000, window_secs = 3600 }\n",
    )
    .unwrap();
    let hook = Hook::start();
    hook.set(200, 300);
    let cfg = ["--config", config.to_str().unwrap()];
    let mut child = spawn_run(&url, &hook, &cfg);
    let t0 = Instant::now();
    while hook.requests() < 3 {
        assert!(t0.elapsed().as_secs() < 120, "the run sent nothing");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL, mid-dispatch: its claim has ~600 s left
    child.wait().unwrap();
    hook.set(200, 0);
    let started = Instant::now();
    let o = spawn_run(&url, &hook, &cfg).wait_with_output().unwrap();
    assert!(o.status.success(), "{}", shown(&o));
    assert!(
        started.elapsed().as_secs() < 60,
        "the next run waited {:?} for a dead process",
        started.elapsed()
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("taking over") && stderr.contains("is gone"),
        "{stderr}"
    );
    let outbox = outbox(&url);
    let accepted = hook.accepted();
    assert_eq!(
        accepted.keys().collect::<Vec<_>>(),
        outbox.keys().collect::<Vec<_>>(),
        "every alert arrived"
    );
}
