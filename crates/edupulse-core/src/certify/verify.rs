//! Verifying a credential: which check passed and which failed, never a panic or an error for an
//! untrusted document.
//!
//! Checks, in order (each reported in [`Verification::checks`]; the first failure is
//! [`Verification::failed`] and its reason is [`Verification::error`]):
//! - `proof`: the document is an object with exactly one `proof` object carrying a `proofValue`;
//! - `suite`: `type` is `DataIntegrityProof` and `cryptosuite` is `eddsa-jcs-2022`;
//! - `verification_method`: the key is resolvable locally — a `did:key`, or a method id the caller
//!   configured in [`VerifyOptions::keys`]; nothing is fetched;
//! - `proof_purpose`: `assertionMethod` (or the purpose the caller expects);
//! - `signature`: Ed25519 over SHA-256(JCS(proof config)) ‖ SHA-256(JCS(document)); a proof
//!   `@context` must match the document's;
//! - `valid_from` / `valid_until`: `now` is inside the validity window (dates must parse);
//! - `status`: every `BitstringStatusListEntry` points at a status-list credential the caller
//!   supplied, which itself verifies (signature, dates, same issuer, same purpose, ≥ 131,072
//!   bits), and whose bit is clear.
//!
//! A check that could not be evaluated because an earlier one failed is reported `false`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, VerifyingKey};
use serde_json::{Map, Value};

use super::keys::{decode_base58btc, resolve_did_key};
use super::proof::{hash_data, CRYPTOSUITE, PROOF_TYPE};
use super::status::StatusList;

/// One verification check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Check {
    /// The proof is present and well-formed.
    Proof,
    /// The proof is `DataIntegrityProof` / `eddsa-jcs-2022`.
    Suite,
    /// The verification method resolves to an Ed25519 key without fetching.
    VerificationMethod,
    /// The proof purpose is the expected one.
    ProofPurpose,
    /// The signature verifies.
    Signature,
    /// `validFrom` is not in the future.
    ValidFrom,
    /// `validUntil` is not in the past.
    ValidUntil,
    /// No status entry is set in its (verified) status list.
    Status,
}

impl Check {
    /// Every check, in evaluation order.
    pub const ALL: [Check; 8] = [
        Check::Proof,
        Check::Suite,
        Check::VerificationMethod,
        Check::ProofPurpose,
        Check::Signature,
        Check::ValidFrom,
        Check::ValidUntil,
        Check::Status,
    ];

    /// The name used in reports and in Python (`checks["signature"]`).
    pub fn as_str(self) -> &'static str {
        match self {
            Check::Proof => "proof",
            Check::Suite => "suite",
            Check::VerificationMethod => "verification_method",
            Check::ProofPurpose => "proof_purpose",
            Check::Signature => "signature",
            Check::ValidFrom => "valid_from",
            Check::ValidUntil => "valid_until",
            Check::Status => "status",
        }
    }
}

/// What the verifier may use. Defaults: now = the clock, purpose `assertionMethod`, no
/// configured keys, no status lists.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// The instant validity is judged at (`None` = now).
    pub now: Option<DateTime<Utc>>,
    /// Status-list credentials by URL (`statusListCredential`); nothing is fetched.
    pub status_lists: BTreeMap<String, Value>,
    /// Public keys of configured non-`did:key` verification methods (`did:web:…#key-1`, URLs).
    pub keys: BTreeMap<String, VerifyingKey>,
    /// Expected proof purpose (`None` = `assertionMethod`).
    pub proof_purpose: Option<String>,
}

/// The outcome of [`verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// True when every check passed.
    pub valid: bool,
    /// Every check and whether it passed.
    pub checks: BTreeMap<Check, bool>,
    /// The first failed check.
    pub failed: Option<Check>,
    /// `"<check>: <reason>"` for the first failure.
    pub error: Option<String>,
}

struct Fail(Check, String);

fn fail<T>(check: Check, msg: impl Into<String>) -> Result<T, Fail> {
    Err(Fail(check, msg.into()))
}

/// Verify `document`. Never panics and never returns an error: a bad document is `valid = false`.
pub fn verify(document: &Value, options: &VerifyOptions) -> Verification {
    let mut passed = Vec::new();
    let outcome = run(document, options, &mut passed, true);
    let mut checks: BTreeMap<Check, bool> = Check::ALL.iter().map(|c| (*c, false)).collect();
    for c in &passed {
        checks.insert(*c, true);
    }
    match outcome {
        Ok(()) => Verification {
            valid: true,
            checks,
            failed: None,
            error: None,
        },
        Err(Fail(c, msg)) => Verification {
            valid: false,
            checks,
            failed: Some(c),
            error: Some(format!("{}: {msg}", c.as_str())),
        },
    }
}

fn run(
    document: &Value,
    options: &VerifyOptions,
    passed: &mut Vec<Check>,
    with_status: bool,
) -> Result<(), Fail> {
    let Value::Object(doc) = document else {
        return fail(Check::Proof, "document is not a JSON object");
    };
    let proof = match doc.get("proof") {
        Some(Value::Object(p)) => p,
        Some(Value::Array(_)) => return fail(Check::Proof, "proof sets are not supported"),
        Some(_) => return fail(Check::Proof, "`proof` is not an object"),
        None => return fail(Check::Proof, "no `proof`"),
    };
    let Some(Value::String(proof_value)) = proof.get("proofValue") else {
        return fail(Check::Proof, "no string `proofValue`");
    };
    passed.push(Check::Proof);

    if proof.get("type").and_then(Value::as_str) != Some(PROOF_TYPE) {
        return fail(Check::Suite, format!("proof type is not {PROOF_TYPE}"));
    }
    if proof.get("cryptosuite").and_then(Value::as_str) != Some(CRYPTOSUITE) {
        return fail(Check::Suite, format!("cryptosuite is not {CRYPTOSUITE}"));
    }
    passed.push(Check::Suite);

    let Some(vm) = proof.get("verificationMethod").and_then(Value::as_str) else {
        return fail(Check::VerificationMethod, "no string `verificationMethod`");
    };
    let key = if let Some(k) = options.keys.get(vm) {
        *k
    } else if vm.starts_with("did:key:") {
        match resolve_did_key(vm) {
            Ok(k) => k,
            Err(e) => return fail(Check::VerificationMethod, e.to_string()),
        }
    } else {
        return fail(
            Check::VerificationMethod,
            format!("`{vm}` is not a did:key and no key is configured for it (nothing is fetched)"),
        );
    };
    passed.push(Check::VerificationMethod);

    let want = options
        .proof_purpose
        .as_deref()
        .unwrap_or("assertionMethod");
    if proof.get("proofPurpose").and_then(Value::as_str) != Some(want) {
        return fail(Check::ProofPurpose, format!("proofPurpose is not {want}"));
    }
    passed.push(Check::ProofPurpose);

    check_signature(doc, proof, proof_value, &key)?;
    passed.push(Check::Signature);

    let now = options.now.unwrap_or_else(Utc::now);
    check_date(doc, "validFrom", Check::ValidFrom, |t| t <= now)?;
    passed.push(Check::ValidFrom);
    check_date(doc, "validUntil", Check::ValidUntil, |t| t >= now)?;
    passed.push(Check::ValidUntil);

    if with_status {
        check_status(doc, options)?;
        passed.push(Check::Status);
    }
    Ok(())
}

fn check_signature(
    doc: &Map<String, Value>,
    proof: &Map<String, Value>,
    proof_value: &str,
    key: &VerifyingKey,
) -> Result<(), Fail> {
    let sig_bytes = match decode_base58btc(proof_value, "proofValue") {
        Ok(b) => b,
        Err(e) => return fail(Check::Signature, e.to_string()),
    };
    let Ok(sig_arr) = <[u8; 64]>::try_from(sig_bytes.as_slice()) else {
        return fail(
            Check::Signature,
            "proofValue is not a 64-byte Ed25519 signature",
        );
    };
    let mut unsigned = doc.clone();
    unsigned.remove("proof");
    let mut config = proof.clone();
    config.remove("proofValue");
    // vc-di-eddsa §3.3.2: a proof @context must be a prefix of the document's, and then stands
    // for it; §3.3.5: the proof configuration carries the document's @context.
    if let Some(pc) = config.get("@context") {
        let doc_ctx = as_list(doc.get("@context"));
        let proof_ctx = as_list(Some(pc));
        if proof_ctx.len() > doc_ctx.len() || doc_ctx[..proof_ctx.len()] != proof_ctx[..] {
            return fail(
                Check::Signature,
                "proof @context does not match the document's",
            );
        }
        unsigned.insert("@context".into(), pc.clone());
    } else if let Some(c) = doc.get("@context") {
        config.insert("@context".into(), c.clone());
    }
    let h = hash_data(&Value::Object(config), &Value::Object(unsigned));
    let sig = Signature::from_bytes(&sig_arr);
    match key.verify_strict(&h.combined(), &sig) {
        Ok(()) => Ok(()),
        Err(_) => fail(Check::Signature, "the signature does not verify"),
    }
}

fn as_list(v: Option<&Value>) -> Vec<Value> {
    match v {
        Some(Value::Array(a)) => a.clone(),
        Some(other) => vec![other.clone()],
        None => Vec::new(),
    }
}

fn check_date(
    doc: &Map<String, Value>,
    field: &str,
    check: Check,
    ok: impl Fn(DateTime<Utc>) -> bool,
) -> Result<(), Fail> {
    let Some(v) = doc.get(field) else {
        return Ok(());
    };
    let Some(s) = v.as_str() else {
        return fail(check, format!("`{field}` is not a string"));
    };
    let Ok(t) = DateTime::parse_from_rfc3339(s) else {
        return fail(check, format!("`{field}` is not a date-time: {s:?}"));
    };
    if ok(t.to_utc()) {
        Ok(())
    } else if check == Check::ValidFrom {
        fail(check, format!("not yet valid (validFrom {s})"))
    } else {
        fail(check, format!("expired (validUntil {s})"))
    }
}

fn issuer_id(doc: &Map<String, Value>) -> Option<&str> {
    match doc.get("issuer") {
        Some(Value::String(s)) => Some(s),
        Some(Value::Object(o)) => o.get("id").and_then(Value::as_str),
        _ => None,
    }
}

fn check_status(doc: &Map<String, Value>, options: &VerifyOptions) -> Result<(), Fail> {
    let entries = as_list(doc.get("credentialStatus"));
    for entry in &entries {
        let Value::Object(e) = entry else {
            return fail(Check::Status, "credentialStatus entry is not an object");
        };
        if e.get("type").and_then(Value::as_str) != Some("BitstringStatusListEntry") {
            return fail(Check::Status, "unsupported credentialStatus type");
        }
        let purpose = e.get("statusPurpose").and_then(Value::as_str).unwrap_or("");
        let Some(index) = e
            .get("statusListIndex")
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<usize>().ok())
        else {
            return fail(
                Check::Status,
                "statusListIndex is not a non-negative integer string",
            );
        };
        let Some(url) = e.get("statusListCredential").and_then(Value::as_str) else {
            return fail(Check::Status, "no statusListCredential");
        };
        let Some(list_vc) = options.status_lists.get(url) else {
            return fail(
                Check::Status,
                format!("status list {url} was not supplied (nothing is fetched)"),
            );
        };
        let mut inner = Vec::new();
        let list_opts = VerifyOptions {
            status_lists: BTreeMap::new(),
            proof_purpose: None,
            ..options.clone()
        };
        if let Err(Fail(c, msg)) = run(list_vc, &list_opts, &mut inner, false) {
            return fail(
                Check::Status,
                format!("status list {url} fails {}: {msg}", c.as_str()),
            );
        }
        let Value::Object(lv) = list_vc else {
            return fail(Check::Status, "status list is not an object");
        };
        if issuer_id(lv) != issuer_id(doc) {
            return fail(
                Check::Status,
                format!("status list {url} has another issuer"),
            );
        }
        let subject = lv.get("credentialSubject");
        let list_purpose = subject
            .and_then(|s| s.get("statusPurpose"))
            .and_then(Value::as_str);
        if list_purpose != Some(purpose) {
            return fail(
                Check::Status,
                format!("status list {url} has another statusPurpose"),
            );
        }
        let Some(encoded) = subject
            .and_then(|s| s.get("encodedList"))
            .and_then(Value::as_str)
        else {
            return fail(
                Check::Status,
                format!("status list {url} has no encodedList"),
            );
        };
        let list = match StatusList::decode(encoded) {
            Ok(l) => l,
            Err(e) => return fail(Check::Status, format!("status list {url}: {e}")),
        };
        match list.is_revoked(index) {
            Ok(false) => {}
            Ok(true) => {
                return fail(
                    Check::Status,
                    format!("index {index} is set in {url} ({purpose})"),
                )
            }
            Err(e) => return fail(Check::Status, e.to_string()),
        }
    }
    Ok(())
}
