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
}
