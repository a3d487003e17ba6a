//! `edupulse certs`: keygen (0600, the secret never printed), issue from a store, verify with
//! the status list, revoke, and the key never appearing in output or errors.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn edupulse(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_edupulse"));
    c.args(args)
        .env_remove("EDUPULSE_CERT_KEY")
        .env_remove("EDUPULSE_CONFIG");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run edupulse")
}

/// The latest `cert_issued` rows and the renewal-reminder keys in the outbox of `url`.
fn register_and_reminders(url: &str) -> (Vec<edupulse::core::certify::CertIssuedRow>, Vec<String>) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = edupulse::open_store(url).await.unwrap();
        let rows = edupulse_store::typed_results(store.as_ref(), None)
            .await
            .unwrap();
        let keys = store
            .outbox(false)
            .await
            .unwrap()
            .into_iter()
            .map(|o| o.notification.dedupe_key)
            .filter(|k| k.starts_with("certify:renewal:"))
            .collect();
        (rows, keys)
    })
}

fn summary(out: &Output) -> Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(stdout.lines().last().unwrap_or_default()).unwrap()
}

fn all_output(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn keygen_issue_verify_revoke() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let key_file = dir.join("issuer.key");
    let k = key_file.to_str().unwrap();

    let out = edupulse(&["certs", "keygen", "--out", k], &[]);
    assert!(out.status.success(), "{}", all_output(&out));
    let secret = std::fs::read_to_string(&key_file)
        .unwrap()
        .trim()
        .to_string();
    assert!(secret.starts_with('z') && secret.len() > 40);
    assert!(
        !all_output(&out).contains(&secret),
        "keygen printed the secret"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let again = edupulse(&["certs", "keygen", "--out", k], &[]);
    assert!(!again.status.success(), "keygen must not overwrite a key");

    // A store with a simulated business.
    let tables = edupulse_core::simulate::simulate(&edupulse_core::simulate::SimConfig {
        students: 60,
        seed: 4,
        ..Default::default()
    })
    .unwrap();
    let csv = dir.join("csv");
    edupulse_core::csvio::write_dir(&tables, &csv).unwrap();
    let store = format!("sqlite://{}", dir.join("e.db").display());
    let out = edupulse(&["ingest", "--store", &store, csv.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", all_output(&out));

    let out_dir = dir.join("certs");
    let config = dir.join("edupulse.toml");
    let write_config = |key_line: &str| {
        std::fs::write(
            &config,
            format!(
                "[certs]\n{key_line}\nissuer_name = \"Academia Ejemplo\"\nbase_url = \"https://academia.example\"\n\
                 status_list_url = \"https://academia.example/status/1\"\nout_dir = {:?}\nrenewal_reminder_days = 400\n\
                 [[job.certify.certifications]]\ncertification_id = \"analitica\"\nname = \"Analítica\"\ndescription = \"d\"\n\
                 criteria = \"Aprobar 1 cuestionario y 1 lección\"\nvalidity_days = 365\n\
                 [job.certify.certifications.requirements]\nmin_quizzes = 1\nmin_lessons = 1\nwindow_days = 3650\n",
                out_dir.display().to_string()
            ),
        )
        .unwrap();
    };
    write_config(&format!("key_file = {k:?}"));
    let cfg = config.to_str().unwrap();
    let as_of = "2026-01-01";
    let out = edupulse(
        &[
            "certs", "issue", "--store", &store, "--as-of", as_of, "--config", cfg,
        ],
        &[],
    );
    assert!(out.status.success(), "{}", all_output(&out));
    assert!(!all_output(&out).contains(&secret));
    let s = summary(&out);
    let issued: Vec<String> = s["issued"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert!(!issued.is_empty(), "{s}");
    // Idempotent: a second run issues nothing new.
    let out = edupulse(
        &[
            "certs", "issue", "--store", &store, "--as-of", as_of, "--config", cfg,
        ],
        &[],
    );
    assert_eq!(summary(&out)["issued"].as_array().unwrap().len(), 0);
    assert_eq!(
        summary(&out)["already_held"].as_u64().unwrap() as usize,
        issued.len()
    );
    // The register is in the store (`cert_issued`), and each credential, valid 365 days and
    // inside the 400-day reminder window, has one renewal reminder in the outbox: the second
    // issue run added none.
    let (register, reminders) = register_and_reminders(&store);
    assert_eq!(register.len(), issued.len());
    assert!(register.iter().all(|r| r.expiring_soon && !r.revoked));
    assert_eq!(reminders.len(), issued.len(), "{reminders:?}");
    assert!(reminders
        .iter()
        .all(|k| k.starts_with("certify:renewal:analitica-")));

    let cred = out_dir
        .join("credentials")
        .join(format!("{}.json", issued[0]));
    let list = out_dir.join("status-list.json");
    let verify = |now: &str| {
        edupulse(
            &[
                "certs",
                "verify",
                cred.to_str().unwrap(),
                "--status-list",
                list.to_str().unwrap(),
                "--now",
                now,
            ],
            &[],
        )
    };
    let v = verify("2026-02-01");
    assert!(v.status.success(), "{}", all_output(&v));
    assert_eq!(summary(&v)["valid"], true);
    // Without the status list: not valid, status named (nothing is fetched).
    let v = edupulse(
        &[
            "certs",
            "verify",
            cred.to_str().unwrap(),
            "--now",
            "2026-02-01",
        ],
        &[],
    );
    assert_eq!(v.status.code(), Some(1));
    assert!(all_output(&v).contains("\"status\":false"));

    // Revoke, with the key from the environment this time (config without key_file).
    write_config("");
    let out = edupulse(
        &["certs", "revoke", &issued[0], "--config", cfg],
        &[("EDUPULSE_CERT_KEY", &secret)],
    );
    assert!(out.status.success(), "{}", all_output(&out));
    assert!(!all_output(&out).contains(&secret));
    let v = verify("2026-02-01");
    assert_eq!(v.status.code(), Some(1));
    let line = String::from_utf8_lossy(&v.stdout)
        .lines()
        .next()
        .unwrap()
        .to_string();
    let first: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(first["checks"]["status"], false);
    assert_eq!(first["checks"]["signature"], true);
    // Expired.
    let v = verify("2027-01-02");
    assert_eq!(v.status.code(), Some(1));

    // A malformed key in the environment: an error that does not echo it.
    let bad = format!("{}Q", &secret[..secret.len() - 4]);
    let out = edupulse(
        &[
            "certs",
            "revoke",
            &issued[1.min(issued.len() - 1)],
            "--config",
            cfg,
        ],
        &[("EDUPULSE_CERT_KEY", &bad)],
    );
    assert!(!out.status.success());
    let text = all_output(&out);
    assert!(
        text.contains("EDUPULSE_CERT_KEY")
            && !text.contains(&bad)
            && !text.contains(&secret[3..20]),
        "{text}"
    );
    // No key at all.
    let out = edupulse(&["certs", "revoke", &issued[0], "--config", cfg], &[]);
    assert!(!out.status.success() && all_output(&out).contains("no key"));
    let _ = Path::new(""); // keep the import used on every platform
}
