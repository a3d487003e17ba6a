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

mod eligibility_and_badges {
    use super::super::credential::*;
    use super::super::rules::*;
    use super::*;
    use crate::model::*;

    fn student(id: &str) -> Student {
        Student {
            student_id: id.into(),
            email: format!("{id}@example.org"),
            name: id.to_uppercase(),
            industry: "tech".into(),
            role: "dev".into(),
            company_size: "11-50".into(),
            enrolled_at: at("2025-01-01T00:00:00Z"),
        }
    }

    fn tables() -> Tables {
        let mut t = Tables {
            students: vec![student("s1"), student("s2"), student("s3")],
            ..Tables::default()
        };
        for i in 0..4 {
            t.webinars.push(Webinar {
                webinar_id: format!("w{i}"),
                title: "SQL".into(),
                topic: "sql".into(),
                starts_at: at("2025-03-01T18:00:00Z") + chrono::Duration::days(7 * i),
                duration_min: 60,
                industry: None,
                role: None,
                company_size: None,
                timezone: None,
            });
        }
        let reg = |w: &str, p: &str, attended: bool| Registration {
            webinar_id: w.into(),
            person_id: p.into(),
            registered_at: at("2025-02-01T00:00:00Z"),
            industry: "tech".into(),
            role: "dev".into(),
            company_size: "11-50".into(),
            attended,
            minutes_watched: None,
            questions: None,
            polls: None,
            chat_messages: None,
        };
        // s1 attends 4/4, s2 3/4 (75%), s3 1/4.
        for w in ["w0", "w1", "w2", "w3"] {
            t.registrations.push(reg(w, "s1", true));
            t.registrations.push(reg(w, "s2", w != "w3"));
            t.registrations.push(reg(w, "s3", w == "w0"));
        }
        for (s, n) in [("s1", 3), ("s2", 3), ("s3", 0)] {
            for i in 0..n {
                t.activity.push(Activity {
                    student_id: s.into(),
                    at: at("2025-03-10T00:00:00Z") + chrono::Duration::hours(i),
                    kind: ActivityKind::QuizPassed,
                    value: None,
                    ref_id: None,
                });
            }
        }
        t
    }

    fn spec() -> CertificationSpec {
        CertificationSpec {
            certification: Certification {
                certification_id: "sql".into(),
                name: "SQL para análisis".into(),
                description: "Consultas SQL".into(),
                criteria: "Asistir al 80 % de los webinars y aprobar 3 cuestionarios.".into(),
                validity_days: 365,
            },
            requirements: Requirements {
                webinar_topic: Some("sql".into()),
                min_attendance: Some(0.8),
                min_quizzes: Some(3),
                ..Requirements::default()
            },
        }
    }

    #[test]
    fn eligible_close_and_missing() {
        let rows = eligibility(&tables(), &[spec()], at("2025-06-01T00:00:00Z")).unwrap();
        let by: std::collections::HashMap<_, _> =
            rows.iter().map(|r| (r.student_id.as_str(), r)).collect();
        assert_eq!(by["s1"].standing, Standing::Eligible);
        assert_eq!(by["s2"].standing, Standing::Close);
        assert_eq!(
            by["s2"].missing,
            vec!["attendance 3/4 webinars of \"sql\" (75%, needs 80%)".to_string()]
        );
        assert_eq!(by["s3"].standing, Standing::NotEligible);
        assert_eq!(by["s3"].missing.len(), 2);
        // Outside the window nothing counts.
        let late = eligibility(&tables(), &[spec()], at("2027-06-01T00:00:00Z")).unwrap();
        assert!(late.iter().all(|r| r.standing == Standing::NotEligible));
        let mut bad = spec();
        bad.requirements.min_attendance = Some(1.5);
        assert!(eligibility(&tables(), &[bad], at("2025-06-01T00:00:00Z")).is_err());
    }

    #[test]
    fn open_badge_signs_verifies_and_expires() {
        let sk = ed25519_dalek::SigningKey::from_bytes(&[11; 32]);
        let issuer = IssuerProfile {
            id: did_key(&sk.verifying_key()),
            name: "Academia Ejemplo".into(),
            url: Some("https://academia.example".into()),
            base_url: "https://academia.example/".into(),
        };
        let s = spec();
        let vc = open_badge_credential(&BadgeRequest {
            certification: &s.certification,
            issuer: &issuer,
            credential_id: "sql-s1",
            student_id: "s1",
            student_name: "S1",
            student_email: Some("S1@example.org "),
            valid_from: at("2025-06-01T00:00:00Z"),
            status: None,
        })
        .unwrap();
        assert_eq!(vc["type"][1], "OpenBadgeCredential");
        assert_eq!(vc["@context"][1], OB_CONTEXT);
        assert_eq!(vc["id"], "https://academia.example/credentials/sql-s1");
        assert_eq!(vc["validUntil"], "2026-06-01T00:00:00Z");
        assert_eq!(
            vc["credentialSubject"]["achievement"]["criteria"]["narrative"],
            s.certification.criteria
        );
        assert!(
            !vc.to_string().contains("example.org"),
            "e-mail only hashed"
        );
        let vm = did_key_verification_method(&sk.verifying_key());
        let signed = sign(
            &vc,
            &sk,
            &ProofOptions::assertion(&vm, "2025-06-01T00:00:00Z"),
        )
        .unwrap();
        let mut o = VerifyOptions {
            now: Some(at("2025-12-01T00:00:00Z")),
            ..VerifyOptions::default()
        };
        assert!(verify(&signed, &o).valid);
        o.now = Some(at("2026-06-01T00:00:01Z"));
        assert_eq!(verify(&signed, &o).failed, Some(Check::ValidUntil));
    }

    #[test]
    fn step_writes_eligible_and_close_and_alerts_once_per_pair() {
        use crate::job::{Job, JobConfig, Step};
        let step = super::super::step::CertifyStep {
            config: super::super::step::CertifyConfig {
                certifications: vec![spec()],
                ..Default::default()
            },
        };
        let as_of = at("2025-06-01T00:00:00Z");
        let out = step.run(&tables(), as_of).unwrap();
        let rows: Vec<super::super::step::CertEligibilityRow> = out.rows().unwrap();
        assert_eq!(rows.len(), 2, "s1 eligible, s2 close; s3 left out");
        assert_eq!(out.notifications.len(), 1);
        assert_eq!(out.notifications[0].dedupe_key, "certify:eligible:sql:s1");
        let again = step
            .run(&tables(), as_of + chrono::Duration::days(1))
            .unwrap();
        assert_eq!(
            again.notifications[0].dedupe_key,
            out.notifications[0].dedupe_key
        );
        // In the standard job, configured from JSON; unknown keys are errors.
        let cfg: JobConfig = serde_json::from_value(json!({"certify": {"certifications": [{
            "certification_id": "sql", "name": "SQL", "description": "d", "criteria": "c",
            "validity_days": 365, "requirements": {"min_quizzes": 3}}]}}))
        .unwrap();
        assert!(Job::new(&cfg).unwrap().step_names().contains(&"certify"));
        assert!(serde_json::from_value::<JobConfig>(json!({"certify": {"certs": []}})).is_err());
        let dup = JobConfig {
            certify: super::super::step::CertifyConfig {
                certifications: vec![spec(), spec()],
                ..Default::default()
            },
            ..JobConfig::default()
        };
        assert!(Job::new(&dup).is_err());
    }
}

#[test]
fn renewal_reminders_are_one_per_expiring_credential_keyed_by_expiry() {
    use super::{renewal_notifications, CertIssuedRow};
    let t = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc();
    let row = |id: &str, until: Option<&str>, revoked, expiring_soon| CertIssuedRow {
        credential_id: id.into(),
        certification_id: "analitica".into(),
        student_id: "s1".into(),
        status_index: 3,
        valid_from: t("2025-01-01T00:00:00Z"),
        valid_until: until.map(t),
        revoked,
        expiring_soon,
    };
    let rows = [
        row("a", Some("2026-01-10T00:00:00Z"), false, true),
        row("b", Some("2027-01-10T00:00:00Z"), false, false),
        row("c", Some("2026-01-10T00:00:00Z"), true, false),
        row("d", None, false, false),
    ];
    let n = renewal_notifications(&rows, t("2026-01-01T00:00:00Z"));
    assert_eq!(n.len(), 1);
    assert_eq!(n[0].dedupe_key, "certify:renewal:a:2026-01-10");
    assert_eq!(n[0].kind, "cert_renewal");
    assert!(n[0].title.contains("10/01/2026"), "{}", n[0].title);
}

#[test]
fn status_indices_are_spread_stable_and_never_reused() {
    use std::collections::BTreeSet;
    assert_eq!(list_bits_for(0), MIN_BITS);
    assert_eq!(list_bits_for(MIN_BITS / 2), MIN_BITS);
    assert_eq!(list_bits_for(MIN_BITS / 2 + 1), 2 * MIN_BITS);
    let mut used = BTreeSet::new();
    let mut order = Vec::new();
    for i in 0..2000 {
        let id = format!("analitica-s{i}-20260101");
        let index = allocate_index(&used, &id);
        assert!(index < MIN_BITS);
        assert!(used.insert(index), "index {index} handed out twice");
        order.push(index);
    }
    // Stable for an id given the same used set; not the issuance order.
    let mut before: BTreeSet<usize> = used.clone();
    before.remove(&order[7]);
    assert_eq!(allocate_index(&before, "analitica-s7-20260101"), order[7]);
    let ascending = order.windows(2).filter(|w| w[0] < w[1]).count();
    assert!(
        (800..1200).contains(&ascending),
        "{ascending} of 1999 steps ascend"
    );
    // A taken position moves to the next free one.
    let first = allocate_index(&BTreeSet::new(), "x");
    let taken: BTreeSet<usize> = [first].into();
    assert_eq!(allocate_index(&taken, "x"), (first + 1) % MIN_BITS);
}
