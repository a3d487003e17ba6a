//! TLS to PostgreSQL with rustls: a throw-away server with a certificate from a throw-away CA
//! (made with the `openssl` command) that accepts TCP logins over TLS only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use edupulse_postgres::testing::{test_url, TestServer, TEST_PASSWORD};
use edupulse_postgres::PostgresStore;
use edupulse_store::{Store, StoreError};
use std::path::Path;
use std::process::Command;

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the `openssl` command is needed to make test certificates");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA (`ca.pem`) and a server certificate for 127.0.0.1 signed by it (`server.crt`,
/// `server.key`).
fn make_certs(dir: &Path) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=edupulse test CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=127.0.0.1",
        ],
    );
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n\
         keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.crt",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
        ],
    );
}

async fn connect_err(url: &str) -> StoreError {
    match PostgresStore::connect(url).await {
        Ok(_) => panic!("connected: {url}"),
        Err(e) => e,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sslmode_require_connects_over_verified_tls() {
    let certs = tempfile::tempdir().unwrap();
    make_certs(certs.path());
    let mut server = TestServer::start().unwrap();
    server
        .enable_tls(
            &certs.path().join("server.crt"),
            &certs.path().join("server.key"),
        )
        .unwrap();
    let ca = certs.path().join("ca.pem");
    let base = server.url();

    // Over TLS, trusting the test CA: a store that works end to end.
    let url = format!("{base}?sslmode=require&sslrootcert={}", ca.display());
    let store = PostgresStore::connect(&url).await.unwrap();
    assert!(store.counts().await.unwrap().contains_key("students"));
    let store = PostgresStore::connect(&format!(
        "{base}?sslmode=verify-full&sslrootcert={}&schema=tls_b",
        ca.display()
    ))
    .await
    .unwrap();
    assert_eq!(store.schema(), Some("tls_b"));

    // The server takes TCP logins over TLS only, so the connections above were encrypted.
    let plain = connect_err(&base).await.to_string();
    assert!(plain.contains("127.0.0.1"), "{plain}");
    assert!(
        plain.contains("no encryption") || plain.contains("pg_hba.conf"),
        "{plain}"
    );

    // Without the CA the certificate is not trusted: a clear error naming the host.
    let untrusted = connect_err(&format!("{base}?sslmode=require"))
        .await
        .to_string();
    assert!(untrusted.contains("127.0.0.1"), "{untrusted}");
    assert!(
        untrusted.to_ascii_lowercase().contains("certificate"),
        "{untrusted}"
    );
    assert!(!untrusted.contains(TEST_PASSWORD), "{untrusted}");

    // A CA file that is missing or holds no certificate: a URL error naming the parameter.
    for bad in [
        certs.path().join("missing.pem"),
        certs.path().join("ext.cnf"),
    ] {
        let e = connect_err(&format!(
            "{base}?sslmode=require&sslrootcert={}",
            bad.display()
        ))
        .await;
        assert!(matches!(e, StoreError::Url { .. }), "{e}");
        let text = e.to_string();
        assert!(text.contains("sslrootcert"), "{text}");
        assert!(!text.contains(TEST_PASSWORD), "{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sslmode_require_against_a_server_without_tls_is_a_clear_error() {
    let (url, _server) = test_url();
    let sep = if url.contains('?') { '&' } else { '?' };
    let e = connect_err(&format!("{url}{sep}sslmode=require"))
        .await
        .to_string();
    assert!(e.contains("127.0.0.1") || e.contains("localhost"), "{e}");
    assert!(
        e.to_ascii_lowercase().contains("tls") || e.contains("SSL"),
        "{e}"
    );
    assert!(!e.contains(TEST_PASSWORD), "{e}");
    // Unknown modes and a CA file without TLS are URL errors.
    for q in ["sslmode=on", "sslrootcert=/x.pem"] {
        let e = connect_err(&format!("{url}{sep}{q}")).await;
        assert!(matches!(e, StoreError::Url { .. }), "{q}: {e}");
    }
}
