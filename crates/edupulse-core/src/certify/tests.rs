//! The W3C vc-di-eddsa `eddsa-jcs-2022` test vectors (testdata/vc, W3C Software and Document
//! License), reproduced value by value, and the bad-input cases of verification.

use serde_json::{json, Value};

use super::keys::*;
use super::proof::*;
use super::status::*;
use super::verify::*;

const VC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/vc");

fn text(name: &str) -> String {
    std::fs::read_to_string(format!("{VC}/{name}")).unwrap()
}
fn json_file(name: &str) -> Value {
    serde_json::from_str(&text(name)).unwrap()
}
fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
fn key_pair() -> (String, String) {
    let kp = json_file("keyPair.json");
    (
        kp["publicKeyMultibase"].as_str().unwrap().to_string(),
        kp["privateKeyMultibase"].as_str().unwrap().to_string(),
    )
}
fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

#[test]
fn w3c_vectors_every_intermediate_value() {
    let (public_mb, private_mb) = key_pair();
    let sk = parse_private_key_multibase(&private_mb).unwrap();
    let pk = parse_public_key_multibase(&public_mb).unwrap();
    assert_eq!(
        sk.verifying_key(),
        pk,
        "the private key derives the public key"
    );
    assert_eq!(public_key_multibase(&pk), public_mb);
    assert_eq!(private_key_multibase(&sk), private_mb);

    let unsigned = json_file("unsigned.json");
    let want_config = json_file("eddsa-jcs-2022/proofConfigJCS.json");
    let opts = ProofOptions::assertion(
        want_config["verificationMethod"].as_str().unwrap(),
        want_config["created"].as_str().unwrap(),
    );
    assert_eq!(opts.verification_method, did_key_verification_method(&pk));
    let config = proof_config(&opts, unsigned.get("@context"));
    assert_eq!(config, want_config);

    let h = hash_data(&config, &unsigned);
    assert_eq!(
        h.canonical_document,
        text("eddsa-jcs-2022/canonDocJCS.txt").trim_end()
    );
    assert_eq!(
        h.canonical_proof_config,
        text("eddsa-jcs-2022/proofCanonJCS.txt").trim_end()
    );
    assert_eq!(
        hex(&h.document_hash),
        text("eddsa-jcs-2022/docHashJCS.txt").trim()
    );
    assert_eq!(
        hex(&h.proof_config_hash),
        text("eddsa-jcs-2022/proofHashJCS.txt").trim()
    );
    assert_eq!(
        hex(&h.combined()),
        text("eddsa-jcs-2022/combinedHashJCS.txt").trim()
    );

    let signed = sign(&unsigned, &sk, &opts).unwrap();
    let pv = signed["proof"]["proofValue"].as_str().unwrap();
    assert_eq!(pv, text("eddsa-jcs-2022/sigBTC58JCS.txt").trim());
    assert_eq!(
        hex(&decode_base58btc(pv, "proofValue").unwrap()),
        text("eddsa-jcs-2022/sigHexJCS.txt").trim()
    );
    assert_eq!(signed, json_file("eddsa-jcs-2022/signedJCS.json"));
}

#[test]
fn w3c_signed_credential_verifies_and_tampering_names_the_check() {
    let signed = json_file("eddsa-jcs-2022/signedJCS.json");
    let opts = VerifyOptions {
        now: Some(at("2024-01-01T00:00:00Z")),
        ..VerifyOptions::default()
    };
    let v = verify(&signed, &opts);
    assert!(v.valid, "{v:?}");
    assert!(v.checks.values().all(|ok| *ok));

    let mut t = signed.clone();
    t["credentialSubject"]["alumniOf"] = json!("Another School");
    let v = verify(&t, &opts);
    assert_eq!(v.failed, Some(Check::Signature));
    assert!(v.error.unwrap().starts_with("signature:"));
    assert!(v.checks[&Check::Suite] && !v.checks[&Check::Signature]);

    // Before validFrom.
    let early = VerifyOptions {
        now: Some(at("2022-12-31T23:59:59Z")),
        ..VerifyOptions::default()
    };
    assert_eq!(verify(&signed, &early).failed, Some(Check::ValidFrom));
}

#[test]
fn bad_inputs_fail_with_the_check_named() {
    let signed = json_file("eddsa-jcs-2022/signedJCS.json");
    let opts = VerifyOptions {
        now: Some(at("2024-01-01T00:00:00Z")),
        ..VerifyOptions::default()
    };
    let case = |f: &dyn Fn(&mut Value)| {
        let mut d = signed.clone();
        f(&mut d);
        verify(&d, &opts)
    };
    // Wrong key: another did:key.
    let other = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
    let vm = did_key_verification_method(&other.verifying_key());
    assert_eq!(
        case(&|d| d["proof"]["verificationMethod"] = json!(vm)).failed,
        Some(Check::Signature)
    );
    assert_eq!(
        case(&|d| d["proof"]["cryptosuite"] = json!("ecdsa-jcs-2019")).failed,
        Some(Check::Suite)
    );
    assert_eq!(
        case(&|d| d["proof"]["type"] = json!("Ed25519Signature2020")).failed,
        Some(Check::Suite)
    );
    assert_eq!(
        case(&|d| d["proof"]["proofValue"] = json!("z0OIl")).failed,
        Some(Check::Signature)
    );
    assert_eq!(
        case(&|d| d["proof"]["proofValue"] = json!("uAAAA")).failed,
        Some(Check::Signature)
    );
    assert_eq!(
        case(&|d| d["proof"]["verificationMethod"] = json!("did:key:z6MkXXXX0#z6MkXXXX0")).failed,
        Some(Check::VerificationMethod)
    );
    assert_eq!(
        case(&|d| d["proof"]["verificationMethod"] = json!("https://issuer.example/key")).failed,
        Some(Check::VerificationMethod)
    );
    assert_eq!(
        case(&|d| d["proof"]["proofPurpose"] = json!("authentication")).failed,
        Some(Check::ProofPurpose)
    );
    assert_eq!(
        case(&|d| d
            .as_object_mut()
            .unwrap()
            .remove("proof")
            .map(|_| ())
            .unwrap())
        .failed,
        Some(Check::Proof)
    );
    assert_eq!(
        case(&|d| d["proof"]["@context"] = json!(["https://other.example"])).failed,
        Some(Check::Signature)
    );
    assert_eq!(verify(&json!([1, 2]), &opts).failed, Some(Check::Proof));
    assert_eq!(verify(&json!("x"), &opts).failed, Some(Check::Proof));
}

#[test]
fn w3c_status_list_example_decodes_to_131072_clear_bits() {
    let l =
        StatusList::decode("uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA")
            .unwrap();
    assert_eq!(l.len(), 131_072);
    assert!(l.revoked().is_empty());
}

#[test]
fn status_list_is_msb_first_and_round_trips() {
    let mut l = StatusList::new(MIN_BITS).unwrap();
    l.revoke(0).unwrap();
    l.revoke(9).unwrap();
    l.revoke(MIN_BITS - 1).unwrap();
    let enc = l.encode().unwrap();
    assert!(
        enc.starts_with("uH4sI"),
        "multibase base64url of gzip: {enc}"
    );
    let back = StatusList::decode(&enc).unwrap();
    assert_eq!(back.revoked(), vec![0, 9, MIN_BITS - 1]);
    // MSB-first: bit 0 is 0x80 of byte 0, bit 9 is 0x40 of byte 1 — check via raw decode.
    use std::io::Read;
    let gz = decode_base64url(&enc, "x").unwrap();
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut raw)
        .unwrap();
    assert_eq!((raw[0], raw[1], raw[raw.len() - 1]), (0x80, 0x40, 0x01));
    assert!(l.is_revoked(MIN_BITS).is_err());
    assert!(StatusList::new(MIN_BITS - 8).is_err());
}

#[test]
fn short_or_malformed_status_lists_are_rejected() {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&[0u8; 1024]).unwrap();
    let short = encode_base64url(&enc.finish().unwrap());
    let e = StatusList::decode(&short).unwrap_err().to_string();
    assert!(e.contains("fewer than the minimum"), "{e}");
    assert!(StatusList::decode("zABC").is_err());
    assert!(StatusList::decode("u!!!").is_err());
    assert!(StatusList::decode("uAAAA").is_err());
}

/// A credential with a status entry, its signed status list, revocation end to end.
#[test]
fn revocation_end_to_end() {
    let sk = ed25519_dalek::SigningKey::from_bytes(&[3; 32]);
    let vm = did_key_verification_method(&sk.verifying_key());
    let issuer = did_key(&sk.verifying_key());
    let url = "https://certs.example/status/1";
    let doc = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Academia"},
        "validFrom": "2025-01-01T00:00:00Z",
        "validUntil": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:s1"},
        "credentialStatus": status_entry(url, "revocation", 42),
    });
    let opts = ProofOptions::assertion(&vm, "2025-01-01T00:00:00Z");
    let signed = sign(&doc, &sk, &opts).unwrap();
    let mut list = StatusList::new(MIN_BITS).unwrap();
    let list_vc = |l: &StatusList| {
        let u =
            status_list_credential(url, &issuer, "revocation", "2025-01-01T00:00:00Z", l).unwrap();
        sign(&u, &sk, &opts).unwrap()
    };
    let mut vo = VerifyOptions {
        now: Some(at("2025-06-01T00:00:00Z")),
        ..VerifyOptions::default()
    };
    assert_eq!(
        verify(&signed, &vo).failed,
        Some(Check::Status),
        "list not supplied"
    );
    vo.status_lists.insert(url.into(), list_vc(&list));
    let v = verify(&signed, &vo);
    assert!(v.valid, "{v:?}");
    list.revoke(42).unwrap();
    vo.status_lists.insert(url.into(), list_vc(&list));
    let v = verify(&signed, &vo);
    assert_eq!(v.failed, Some(Check::Status));
    assert!(v.error.unwrap().contains("index 42 is set"));
    // A status list whose signature is broken is not trusted.
    let mut forged = list_vc(&StatusList::new(MIN_BITS).unwrap());
    forged["credentialSubject"]["encodedList"] = json!(list.encode().unwrap());
    vo.status_lists.insert(url.into(), forged);
    assert_eq!(verify(&signed, &vo).failed, Some(Check::Status));
    // Expired.
    vo.now = Some(at("2026-01-02T00:00:00Z"));
    assert_eq!(verify(&signed, &vo).failed, Some(Check::ValidUntil));
}

#[test]
fn configured_verification_method_is_used_without_fetching() {
    let sk = ed25519_dalek::SigningKey::from_bytes(&[5; 32]);
    let vm = "did:web:academia.example#key-1";
    let doc = json!({"@context": ["https://www.w3.org/ns/credentials/v2"], "issuer": "did:web:academia.example"});
    let signed = sign(
        &doc,
        &sk,
        &ProofOptions::assertion(vm, "2025-01-01T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(
        verify(&signed, &VerifyOptions::default()).failed,
        Some(Check::VerificationMethod)
    );
    let mut o = VerifyOptions::default();
    o.keys.insert(vm.into(), sk.verifying_key());
    assert!(verify(&signed, &o).valid);
}
