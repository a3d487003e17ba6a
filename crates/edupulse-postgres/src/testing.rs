//! Test support: a throw-away PostgreSQL server on loopback, for this crate's tests and the
//! workspace's (CLI, fault tests). Not for production use.
//!
//! [`TestServer::start`] finds the PostgreSQL binaries (`pg_ctl` and `initdb` on `PATH`, or
//! `/usr/lib/postgresql/<version>/bin`), creates a cluster in a temporary directory (as the
//! `postgres` user through `runuser` when running as root, because `initdb` refuses root), with
//! password authentication over TCP, starts it on `127.0.0.1:<free port>` with its socket in
//! the same directory, and stops it and removes the directory when dropped.
//!
//! [`test_url`] is what tests call: `EDUPULSE_TEST_POSTGRES_URL` if set (e.g. by
//! `make test`), else a server of its own. When no server can be had the call **fails** (it
//! never skips silently): install PostgreSQL (`apt-get install postgresql`) or set the URL.
#![allow(clippy::missing_panics_doc)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The environment variable naming a server for the tests.
pub const TEST_URL_VAR: &str = "EDUPULSE_TEST_POSTGRES_URL";

/// The superuser password of a [`TestServer`] (a throw-away cluster on loopback).
pub const TEST_PASSWORD: &str = "edupulse-test-pw";

/// A PostgreSQL server in a temporary directory; stopped and deleted on drop.
#[derive(Debug)]
pub struct TestServer {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    as_postgres: bool,
    running: bool,
}

/// Where `pg_ctl` and `initdb` are.
pub fn find_bin_dir() -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/usr/lib/postgresql") {
        let mut versions: Vec<PathBuf> = entries.flatten().map(|e| e.path().join("bin")).collect();
        versions.sort();
        versions.reverse();
        candidates.extend(versions);
    }
    if let Some(path) = std::env::var_os("PATH") {
        candidates.extend(std::env::split_paths(&path));
    }
    candidates
        .into_iter()
        .find(|d| d.join("pg_ctl").is_file() && d.join("initdb").is_file())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> std::io::Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

impl TestServer {
    /// Create and start a server. Errors say what is missing.
    pub fn start() -> Result<TestServer, String> {
        let bin = find_bin_dir().ok_or_else(|| {
            "PostgreSQL binaries (pg_ctl, initdb) not found in /usr/lib/postgresql/*/bin or PATH: \
             install them (apt-get install postgresql) or set EDUPULSE_TEST_POSTGRES_URL"
                .to_string()
        })?;
        let as_postgres = is_root();
        let base = std::env::temp_dir().join(format!(
            "edupulse-pg-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        ));
        std::fs::create_dir_all(&base).map_err(|e| format!("cannot create {base:?}: {e}"))?;
        let pwfile = base.join("pw");
        std::fs::write(&pwfile, TEST_PASSWORD).map_err(|e| e.to_string())?;
        let dir = base.join("data");
        if as_postgres {
            let st = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&base)
                .status()
                .map_err(|e| format!("chown: {e}"))?;
            if !st.success() {
                return Err(format!("chown postgres {base:?} failed"));
            }
        }
        let mut server = TestServer {
            bin,
            dir,
            port: free_port().map_err(|e| format!("no free port: {e}"))?,
            as_postgres,
            running: false,
        };
        let initdb = server.bin.join("initdb");
        let out = server
            .command(&initdb)
            .arg("-D")
            .arg(&server.dir)
            .args([
                "-U",
                "postgres",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ])
            .arg(format!("--pwfile={}", pwfile.display()))
            .output()
            .map_err(|e| format!("initdb: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "initdb failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        server.start_again()?;
        Ok(server)
    }

    fn command(&self, program: &Path) -> Command {
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        }
    }

    /// Start the (stopped) server again on the same port.
    pub fn start_again(&mut self) -> Result<(), String> {
        let log = self.dir.parent().unwrap_or(&self.dir).join("log");
        let opts = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {} -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=200",
            self.port,
            self.dir.display()
        );
        let out = self
            .command(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(&self.dir)
            .args(["-w", "-t", "60", "-l"])
            .arg(&log)
            .args(["-o", &opts, "start"])
            .output()
            .map_err(|e| format!("pg_ctl start: {e}"))?;
        if !out.status.success() {
            let logtext = std::fs::read_to_string(&log).unwrap_or_default();
            return Err(format!(
                "pg_ctl start failed: {}{}",
                String::from_utf8_lossy(&out.stderr),
                logtext
            ));
        }
        self.running = true;
        Ok(())
    }

    /// Stop the server (fast shutdown: open connections are closed).
    pub fn stop(&mut self) -> Result<(), String> {
        if !self.running {
            return Ok(());
        }
        let out = self
            .command(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(&self.dir)
            .args(["-w", "-m", "fast", "stop"])
            .output()
            .map_err(|e| format!("pg_ctl stop: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "pg_ctl stop failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        self.running = false;
        Ok(())
    }

    /// Serve TLS with the PEM certificate (chain) and key given, and accept TCP logins over TLS
    /// only (`hostssl` in `pg_hba.conf`); restarts the server.
    pub fn enable_tls(&mut self, cert_pem: &Path, key_pem: &Path) -> Result<(), String> {
        let crt = self.dir.join("server.crt");
        let key = self.dir.join("server.key");
        std::fs::copy(cert_pem, &crt).map_err(|e| format!("copy {cert_pem:?}: {e}"))?;
        std::fs::copy(key_pem, &key).map_err(|e| format!("copy {key_pem:?}: {e}"))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| format!("chmod {key:?}: {e}"))?;
        }
        if self.as_postgres {
            let st = Command::new("chown")
                .arg("postgres:postgres")
                .arg(&crt)
                .arg(&key)
                .status()
                .map_err(|e| format!("chown: {e}"))?;
            if !st.success() {
                return Err("chown of the TLS files failed".to_string());
            }
        }
        let conf = self.dir.join("postgresql.conf");
        let mut text = std::fs::read_to_string(&conf).map_err(|e| format!("{conf:?}: {e}"))?;
        text.push_str("\nssl = on\n");
        std::fs::write(&conf, text).map_err(|e| format!("{conf:?}: {e}"))?;
        let hba = self.dir.join("pg_hba.conf");
        let text = std::fs::read_to_string(&hba).map_err(|e| format!("{hba:?}: {e}"))?;
        let text: String = text
            .lines()
            .map(|l| match l.strip_prefix("host ") {
                Some(rest) => format!("hostssl {rest}\n"),
                None => format!("{l}\n"),
            })
            .collect();
        std::fs::write(&hba, text).map_err(|e| format!("{hba:?}: {e}"))?;
        self.stop()?;
        self.start_again()
    }

    /// The TCP port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `postgres://postgres:PASSWORD@127.0.0.1:PORT/postgres`.
    pub fn url(&self) -> String {
        format!(
            "postgres://postgres:{TEST_PASSWORD}@127.0.0.1:{}/postgres",
            self.port
        )
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.stop();
        if let Some(base) = self.dir.parent() {
            let _ = std::fs::remove_dir_all(base);
        }
    }
}

/// A server URL for tests: `EDUPULSE_TEST_POSTGRES_URL`, or a [`TestServer`] of the caller's
/// (returned so it lives as long as the test). Panics with instructions when neither works:
/// PostgreSQL tests fail, they never skip.
pub fn test_url() -> (String, Option<TestServer>) {
    if let Ok(url) = std::env::var(TEST_URL_VAR) {
        if !url.trim().is_empty() {
            return (url, None);
        }
    }
    match TestServer::start() {
        Ok(s) => (s.url(), Some(s)),
        Err(e) => panic!("no PostgreSQL server for the tests: {e}"),
    }
}

/// `url` with `schema=NAME` added (a fresh, empty schema per test case).
pub fn with_schema(url: &str, schema: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}schema={schema}")
}

/// A schema name unique to this process and call.
pub fn unique_schema(prefix: &str) -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        nanos,
        N.fetch_add(1, Ordering::SeqCst)
    )
}
