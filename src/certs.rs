//! Certificates on disk: the issuer's secret key, issuing the credentials of eligible students,
//! the signed status list, revocation and verification of files.
//!
//! **Keys are secrets.** The private key (multibase Ed25519 seed) comes from the environment
//! variable [`KEY_VAR`] or from the file named by `key_file` in the `[certs]` configuration; it is
//! held in a [`SecretKey`] whose `Debug` is redacted, and no error or log line contains it.
//! [`keygen`] writes a new key file with permissions 0600 and refuses to overwrite one.
//!
//! State lives in `out_dir`: `state.json` (every issued credential and its status-list index),
//! `credentials/<id>.json` (the signed `OpenBadgeCredential`s) and `status-list.json` (the signed
//! `BitstringStatusListCredential`, to be published at `status_list_url`).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use edupulse_core::certify::{
    self, credential::valid_until, keys, rules::CertificationSpec, status, BadgeRequest,
    CertIssuedRow, IssuerProfile, ProofOptions, Standing, StatusList,
};
use edupulse_core::model::Tables;
use edupulse_core::CoreError;
use serde::{Deserialize, Serialize};

use crate::Error;

/// The environment variable that may hold the issuer's private key (multibase).
pub const KEY_VAR: &str = "EDUPULSE_CERT_KEY";

/// The `[certs]` section of `edupulse.toml`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CertsConfig {
    /// File holding the private key (used when `EDUPULSE_CERT_KEY` is not set).
    pub key_file: Option<PathBuf>,
    /// Issuer name shown in badges.
    pub issuer_name: String,
    /// Issuer home page.
    pub issuer_url: Option<String>,
    /// Issuer id; default the `did:key` of the key.
    pub issuer_id: Option<String>,
    /// Verification method; default `did:key:<mb>#<mb>` of the key. A `did:web` method must
    /// resolve to the same key wherever verifiers look it up.
    pub verification_method: Option<String>,
    /// Base URL of achievement and credential ids.
    pub base_url: String,
    /// Where the status list credential is published.
    pub status_list_url: String,
    /// Where state, credentials and the status list are written.
    pub out_dir: PathBuf,
    /// "Expiring soon": credentials whose `validUntil` is within this many days.
    pub renewal_reminder_days: u32,
}

impl CertsConfig {
    fn check(&self) -> Result<(), Error> {
        for (name, v) in [
            ("issuer_name", &self.issuer_name),
            ("base_url", &self.base_url),
            ("status_list_url", &self.status_list_url),
        ] {
            if v.trim().is_empty() {
                return Err(CoreError::param(&format!("certs.{name}"), "must be set").into());
            }
        }
        if self.out_dir.as_os_str().is_empty() {
            return Err(CoreError::param("certs.out_dir", "must be set").into());
        }
        Ok(())
    }
}

/// The issuer's private key. `Debug` never shows it.
pub struct SecretKey(ed25519_dalek::SigningKey);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

impl SecretKey {
    /// Parse a multibase private key; the error never repeats it.
    pub fn parse(multibase: &str) -> Result<SecretKey, Error> {
        Ok(SecretKey(keys::parse_private_key_multibase(multibase)?))
    }

    /// The public key as multibase (`z6Mk…`): safe to print.
    pub fn public_multibase(&self) -> String {
        keys::public_key_multibase(&self.0.verifying_key())
    }

    /// The `did:key` verification method of this key.
    pub fn did_key_method(&self) -> String {
        keys::did_key_verification_method(&self.0.verifying_key())
    }
}

fn io(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Core(CoreError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

/// Load the key: `EDUPULSE_CERT_KEY` if set, else `key_file`.
pub fn load_key(config: &CertsConfig) -> Result<SecretKey, Error> {
    if let Some(v) = std::env::var_os(KEY_VAR).filter(|v| !v.is_empty()) {
        let s = v
            .into_string()
            .map_err(|_| CoreError::param(KEY_VAR, "is not UTF-8"))?;
        return SecretKey::parse(&s).map_err(|_| {
            CoreError::param(KEY_VAR, "is not a multibase Ed25519 private key").into()
        });
    }
    let Some(path) = &config.key_file else {
        return Err(CoreError::param(
            "certs.key_file",
            format!("no key: set {KEY_VAR} or `key_file` in [certs]"),
        )
        .into());
    };
    let text = std::fs::read_to_string(path).map_err(|e| io(path, e))?;
    SecretKey::parse(text.trim()).map_err(|_| {
        io(
            path,
            "does not hold a multibase Ed25519 private key (`edupulse certs keygen`)",
        )
    })
}

/// Generate a key and write it to `path` (created with mode 0600; an existing file is an error).
/// Returns the key (print only its public part).
pub fn keygen(path: &Path) -> Result<SecretKey, Error> {
    use rand::RngCore;
    let mut seed = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut seed);
    let key = SecretKey(ed25519_dalek::SigningKey::from_bytes(&seed));
    seed.fill(0);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(|e| io(path, e))?;
    writeln!(f, "{}", keys::private_key_multibase(&key.0)).map_err(|e| io(path, e))?;
    f.sync_all().map_err(|e| io(path, e))?;
    Ok(key)
}

/// One issued credential, as remembered in `state.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedRecord {
    /// Certification id.
    pub certification_id: String,
    /// Student id.
    pub student_id: String,
    /// Bit in the status list.
    pub status_index: usize,
    /// `validFrom`.
    pub valid_from: DateTime<Utc>,
    /// `validUntil`.
    pub valid_until: Option<DateTime<Utc>>,
    /// Revoked?
    pub revoked: bool,
}

/// `state.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueState {
    /// How many credentials were issued (a count: status-list indices are spread over the list
    /// by `certify::status::allocate_index`, not taken in order).
    pub next_index: usize,
    /// Credential id → record.
    pub issued: BTreeMap<String, IssuedRecord>,
}

fn read_state(dir: &Path) -> Result<IssueState, Error> {
    let p = dir.join("state.json");
    match std::fs::read_to_string(&p) {
        Ok(t) => serde_json::from_str(&t).map_err(|e| io(&p, e)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(IssueState::default()),
        Err(e) => Err(io(&p, e)),
    }
}

fn write_json(path: &Path, v: &impl Serialize) -> Result<(), Error> {
    let tmp = path.with_extension("json.tmp");
    let text = serde_json::to_string_pretty(v).map_err(|e| io(path, e))?;
    std::fs::write(&tmp, text + "\n").map_err(|e| io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| io(path, e))
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// What `issue` did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IssueSummary {
    /// Newly issued credential ids.
    pub issued: Vec<String>,
    /// Eligible pairs that already hold a valid credential.
    pub already_held: usize,
    /// `(student, certification, missing)` of students who are close.
    pub close: Vec<(String, String, Vec<String>)>,
    /// Credentials expiring within `renewal_reminder_days`.
    pub expiring_soon: Vec<String>,
}

fn issuer(config: &CertsConfig, key: &SecretKey) -> (IssuerProfile, String) {
    let vm = config
        .verification_method
        .clone()
        .unwrap_or_else(|| key.did_key_method());
    let id = config
        .issuer_id
        .clone()
        .unwrap_or_else(|| keys::did_key(&key.0.verifying_key()));
    (
        IssuerProfile {
            id,
            name: config.issuer_name.clone(),
            url: config.issuer_url.clone(),
            base_url: config.base_url.clone(),
        },
        vm,
    )
}

fn write_status_list(
    config: &CertsConfig,
    key: &SecretKey,
    state: &IssueState,
    at: DateTime<Utc>,
) -> Result<(), Error> {
    // Long enough for every index handed out (indices are spread over `list_bits_for`).
    let highest = state.issued.values().map(|r| r.status_index + 1).max();
    let mut bits = status::list_bits_for(state.issued.len());
    while highest.is_some_and(|h| h > bits) {
        bits *= 2;
    }
    let mut list = StatusList::new(bits)?;
    for r in state.issued.values().filter(|r| r.revoked) {
        list.revoke(r.status_index)?;
    }
    let (profile, vm) = issuer(config, key);
    let unsigned = status::status_list_credential(
        &config.status_list_url,
        &profile.id,
        "revocation",
        &ts(at),
        &list,
    )?;
    let signed = certify::sign(&unsigned, &key.0, &ProofOptions::assertion(&vm, &ts(at)))?;
    write_json(&config.out_dir.join("status-list.json"), &signed)
}

/// Issue a credential to every eligible student who holds no valid, unrevoked one for that
/// certification at `as_of` (an expired one is renewed), write them and the status list.
///
/// `certifications` are the job's (`[job.certify] certifications`), so the daily job's
/// eligibility alerts and the issued credentials follow the same rules.
pub fn issue(
    config: &CertsConfig,
    certifications: &[CertificationSpec],
    key: &SecretKey,
    tables: &Tables,
    as_of: DateTime<Utc>,
) -> Result<IssueSummary, Error> {
    config.check()?;
    let dir = &config.out_dir;
    std::fs::create_dir_all(dir.join("credentials")).map_err(|e| io(dir, e))?;
    let mut state = read_state(dir)?;
    let specs = certify::rules::index_specs(certifications)?;
    let rows = certify::eligibility(tables, certifications, as_of)?;
    let students: BTreeMap<&str, &edupulse_core::model::Student> = tables
        .students
        .iter()
        .map(|s| (s.student_id.as_str(), s))
        .collect();
    let (profile, vm) = issuer(config, key);
    let mut out = IssueSummary::default();
    for r in rows {
        match r.standing {
            Standing::Close => {
                out.close.push((
                    r.student_id.clone(),
                    r.certification_id.clone(),
                    r.missing.clone(),
                ));
                continue;
            }
            Standing::Eligible => {}
            _ => continue,
        }
        let held = state.issued.values().any(|x| {
            x.student_id == r.student_id
                && x.certification_id == r.certification_id
                && (x.revoked || x.valid_until.is_none_or(|u| u > as_of))
        });
        if held {
            out.already_held += 1;
            continue;
        }
        let (Some(spec), Some(student)) = (
            specs.get(r.certification_id.as_str()),
            students.get(r.student_id.as_str()),
        ) else {
            continue;
        };
        let id = format!(
            "{}-{}-{}",
            r.certification_id,
            r.student_id,
            as_of.format("%Y%m%d")
        );
        let used: std::collections::BTreeSet<usize> =
            state.issued.values().map(|r| r.status_index).collect();
        let index = status::allocate_index(&used, &id);
        let vc = certify::open_badge_credential(&BadgeRequest {
            certification: &spec.certification,
            issuer: &profile,
            credential_id: &id,
            student_id: &student.student_id,
            student_name: &student.name,
            student_email: Some(&student.email),
            valid_from: as_of,
            status: Some((&config.status_list_url, index)),
        })?;
        let signed = certify::sign(&vc, &key.0, &ProofOptions::assertion(&vm, &ts(as_of)))?;
        write_json(&dir.join("credentials").join(format!("{id}.json")), &signed)?;
        state.next_index += 1;
        state.issued.insert(
            id.clone(),
            IssuedRecord {
                certification_id: r.certification_id.clone(),
                student_id: r.student_id.clone(),
                status_index: index,
                valid_from: as_of,
                valid_until: valid_until(as_of, spec.certification.validity_days),
                revoked: false,
            },
        );
        out.issued.push(id);
    }
    let horizon = as_of + Duration::days(i64::from(config.renewal_reminder_days));
    out.expiring_soon = state
        .issued
        .iter()
        .filter(|(_, x)| !x.revoked && x.valid_until.is_some_and(|u| u > as_of && u <= horizon))
        .map(|(id, _)| id.clone())
        .collect();
    write_status_list(config, key, &state, as_of)?;
    write_json(&dir.join("state.json"), &state)?;
    Ok(out)
}

/// The issuer's register in `config.out_dir` as typed `cert_issued` rows at `as_of` (credential
/// id order), `expiring_soon` marking unrevoked credentials whose `validUntil` falls within
/// `renewal_reminder_days` after `as_of`.
pub fn issued_rows(
    config: &CertsConfig,
    as_of: DateTime<Utc>,
) -> Result<Vec<CertIssuedRow>, Error> {
    let state = read_state(&config.out_dir)?;
    let horizon = as_of + Duration::days(i64::from(config.renewal_reminder_days));
    Ok(state
        .issued
        .iter()
        .map(|(id, x)| CertIssuedRow {
            credential_id: id.clone(),
            certification_id: x.certification_id.clone(),
            student_id: x.student_id.clone(),
            status_index: x.status_index as u64,
            valid_from: x.valid_from,
            valid_until: x.valid_until,
            revoked: x.revoked,
            expiring_soon: !x.revoked && x.valid_until.is_some_and(|u| u > as_of && u <= horizon),
        })
        .collect())
}

/// Record the issuer's register in `store` as of `as_of`: the `cert_issued` table (the whole
/// register, replacing what the table had for that `as_of`), one renewal reminder per credential
/// expiring within `renewal_reminder_days` (outbox, dedupe key
/// `certify:renewal:<credential>:<expiry date>`, so reruns send nothing new), and a
/// `certs_issue` entry in the run record of `as_of` (the daily job's summaries are kept). Only
/// ids, dates and status bits go to the store: never a key, a signed credential or an e-mail.
/// Returns the rows written.
pub async fn record_issued(
    store: &dyn edupulse_store::Store,
    config: &CertsConfig,
    as_of: DateTime<Utc>,
) -> Result<Vec<CertIssuedRow>, Error> {
    let rows = issued_rows(config, as_of)?;
    let notifications = certify::renewal_notifications(&rows, as_of);
    let mut steps = serde_json::Map::new();
    steps.insert(
        "certs_issue".into(),
        serde_json::json!({
            "ok": true,
            "results": rows.len(),
            "notifications": notifications.len(),
            "summary": {
                "issued": rows.len(),
                "revoked": rows.iter().filter(|r| r.revoked).count(),
                "expiring_soon": rows.iter().filter(|r| r.expiring_soon).count(),
            },
        }),
    );
    let summary = crate::job::keep_other_steps(store, as_of, steps).await?;
    let run = edupulse_core::results::RunOutput {
        as_of,
        results: vec![edupulse_core::results::ResultSet::of(as_of, &rows)],
        notifications,
        summary,
        failed: Vec::new(),
    };
    store.write_run(&run).await?;
    Ok(rows)
}

/// Revoke credential `id` (its id in `state.json`, the file stem, or its full URL) and re-sign
/// the status list. Revoking twice is a no-op. Returns its status-list index.
pub fn revoke(
    config: &CertsConfig,
    key: &SecretKey,
    id: &str,
    at: DateTime<Utc>,
) -> Result<usize, Error> {
    config.check()?;
    let dir = &config.out_dir;
    let mut state = read_state(dir)?;
    let short = id.rsplit('/').next().unwrap_or(id);
    let Some(rec) = state.issued.get_mut(short) else {
        return Err(CoreError::param(
            "id",
            format!("no issued credential `{short}` in {}", dir.display()),
        )
        .into());
    };
    rec.revoked = true;
    let index = rec.status_index;
    write_status_list(config, key, &state, at)?;
    write_json(&dir.join("state.json"), &state)?;
    Ok(index)
}

/// Verify a credential file, with status lists read from `status_list_files` (keyed by their `id`).
pub fn verify_file(
    path: &Path,
    status_list_files: &[PathBuf],
    now: Option<DateTime<Utc>>,
) -> Result<certify::Verification, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| io(path, e))?;
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    let mut opts = certify::VerifyOptions {
        now,
        ..certify::VerifyOptions::default()
    };
    for p in status_list_files {
        let t = std::fs::read_to_string(p).map_err(|e| io(p, e))?;
        let v: serde_json::Value = serde_json::from_str(&t).map_err(|e| io(p, e))?;
        let id = v
            .get("id")
            .and_then(|x| x.as_str())
            .ok_or_else(|| io(p, "status list credential has no `id`"))?
            .to_string();
        opts.status_lists.insert(id, v);
    }
    Ok(certify::verify(&doc, &opts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_key_never_shows_in_debug_or_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        let key = keygen(&path).unwrap();
        let secret = std::fs::read_to_string(&path).unwrap().trim().to_string();
        assert_eq!(format!("{key:?}"), "SecretKey(<redacted>)");
        assert!(!key.public_multibase().contains(&secret[1..]));
        let bad = format!("{}0", &secret[..secret.len() - 1]); // '0' is not base58
        let e = SecretKey::parse(&bad).unwrap_err().to_string();
        assert!(!e.contains(&secret[1..10]), "{e}");
        // A key file holding junk: the error names the file, not its content.
        std::fs::write(dir.path().join("junk"), "zSECRETJUNK").unwrap();
        let cfg = CertsConfig {
            key_file: Some(dir.path().join("junk")),
            ..CertsConfig::default()
        };
        if std::env::var_os(KEY_VAR).is_none() {
            let e = load_key(&cfg).unwrap_err().to_string();
            assert!(e.contains("junk") && !e.contains("SECRETJUNK"), "{e}");
        }
        assert!(keygen(&path).is_err(), "never overwrites");
    }
}
