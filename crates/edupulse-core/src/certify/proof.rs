//! Data Integrity proofs with the `eddsa-jcs-2022` cryptosuite (W3C vc-di-eddsa §3.3).
//!
//! Signing a document (without `proof`):
//! 1. proof configuration = `{type: DataIntegrityProof, cryptosuite: eddsa-jcs-2022, created,
//!    verificationMethod, proofPurpose}` plus the document's `@context`;
//! 2. hash data = SHA-256(JCS(proof configuration)) ‖ SHA-256(JCS(document));
//! 3. `proofValue` = multibase base58btc of Ed25519(hash data);
//! 4. the document gets `proof` = proof configuration + `proofValue`.
//!
//! [`hash_data`] exposes the intermediate values so tests can compare each with the W3C vectors.

use ed25519_dalek::{Signer, SigningKey};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::jcs::canonicalize;
use super::keys::encode_base58btc;
use crate::{CoreError, Result};

/// The proof type this module writes and verifies.
pub const PROOF_TYPE: &str = "DataIntegrityProof";
/// The cryptosuite this module writes and verifies.
pub const CRYPTOSUITE: &str = "eddsa-jcs-2022";

/// The options of a proof to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofOptions {
    /// `verificationMethod`: a `did:key:…#…` or a configured `did:web`/URL method id.
    pub verification_method: String,
    /// `created`, an XML Schema dateTime (e.g. `2023-02-24T23:36:38Z`).
    pub created: String,
    /// `proofPurpose`; credentials use `assertionMethod`.
    pub proof_purpose: String,
}

impl ProofOptions {
    /// Options with proof purpose `assertionMethod`.
    pub fn assertion(verification_method: &str, created: &str) -> Self {
        ProofOptions {
            verification_method: verification_method.to_string(),
            created: created.to_string(),
            proof_purpose: "assertionMethod".to_string(),
        }
    }
}

/// Every intermediate value of `eddsa-jcs-2022` hashing, for tests and diagnostics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashData {
    /// JCS of the proof configuration.
    pub canonical_proof_config: String,
    /// JCS of the unsigned document.
    pub canonical_document: String,
    /// SHA-256 of the canonical proof configuration.
    pub proof_config_hash: [u8; 32],
    /// SHA-256 of the canonical document.
    pub document_hash: [u8; 32],
}

impl HashData {
    /// proof hash ‖ document hash: the 64 bytes that are signed.
    pub fn combined(&self) -> [u8; 64] {
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(&self.proof_config_hash);
        out[32..].copy_from_slice(&self.document_hash);
        out
    }
}

/// The proof configuration object for `options` and a document whose `@context` is `context`.
pub fn proof_config(options: &ProofOptions, context: Option<&Value>) -> Value {
    let mut m = Map::new();
    m.insert("type".into(), PROOF_TYPE.into());
    m.insert("cryptosuite".into(), CRYPTOSUITE.into());
    m.insert("created".into(), options.created.clone().into());
    m.insert(
        "verificationMethod".into(),
        options.verification_method.clone().into(),
    );
    m.insert("proofPurpose".into(), options.proof_purpose.clone().into());
    if let Some(c) = context {
        m.insert("@context".into(), c.clone());
    }
    Value::Object(m)
}

/// Hash a proof configuration and an unsigned document (W3C vc-di-eddsa §3.3.4–3.3.5).
pub fn hash_data(proof_config: &Value, unsigned: &Value) -> HashData {
    let canonical_proof_config = canonicalize(proof_config);
    let canonical_document = canonicalize(unsigned);
    HashData {
        proof_config_hash: Sha256::digest(canonical_proof_config.as_bytes()).into(),
        document_hash: Sha256::digest(canonical_document.as_bytes()).into(),
        canonical_proof_config,
        canonical_document,
    }
}

/// Sign `document` (a JSON object without `proof`): returns the document with its `proof`.
///
/// ```
/// use edupulse_core::certify::{keys, proof::{sign, ProofOptions}, verify::{verify, VerifyOptions}};
/// let key = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
/// let vm = keys::did_key_verification_method(&key.verifying_key());
/// let doc = serde_json::json!({"@context": ["https://www.w3.org/ns/credentials/v2"],
///     "type": ["VerifiableCredential"], "issuer": "did:example:1",
///     "credentialSubject": {"id": "did:example:2"}});
/// let signed = sign(&doc, &key, &ProofOptions::assertion(&vm, "2025-01-01T00:00:00Z")).unwrap();
/// assert!(verify(&signed, &VerifyOptions::default()).valid);
/// ```
pub fn sign(document: &Value, key: &SigningKey, options: &ProofOptions) -> Result<Value> {
    let Value::Object(obj) = document else {
        return Err(CoreError::param("document", "must be a JSON object"));
    };
    if obj.contains_key("proof") {
        return Err(CoreError::param(
            "document",
            "already has a `proof` (proof sets and chains are not supported)",
        ));
    }
    let config = proof_config(options, obj.get("@context"));
    let h = hash_data(&config, document);
    let sig = key.sign(&h.combined());
    let mut proof = match config {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    proof.insert(
        "proofValue".into(),
        encode_base58btc(&sig.to_bytes()).into(),
    );
    let mut out = obj.clone();
    out.insert("proof".into(), Value::Object(proof));
    Ok(Value::Object(out))
}
