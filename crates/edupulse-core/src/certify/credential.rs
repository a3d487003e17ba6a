//! The Open Badges 3.0 `OpenBadgeCredential` (a W3C Verifiable Credential 2.0) for one earned
//! certification: contexts, issuer profile, achievement with criteria, subject, validity window
//! and revocation entry. Unsigned: sign it with [`super::proof::sign`].

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::status::status_entry;
use crate::{CoreError, Result};

/// The W3C Verifiable Credentials 2.0 context.
pub const VC_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";
/// The Open Badges 3.0 context (version 3.0.3).
pub const OB_CONTEXT: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";

/// One certification a student can earn (a row of the `certifications` table).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certification {
    /// Stable id (`cert-sql`).
    pub certification_id: String,
    /// Display name.
    pub name: String,
    /// What the certification attests.
    pub description: String,
    /// The criteria narrative shown in the badge (`achievement.criteria.narrative`).
    pub criteria: String,
    /// How long a credential stays valid (`validUntil` = `validFrom` + this); 0 = no expiry.
    pub validity_days: u32,
}

/// The issuer as it appears in credentials (an Open Badges `Profile`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuerProfile {
    /// The issuer id: the `did:key` of the signing key, a `did:web`, or a URL.
    pub id: String,
    /// Name of the academy.
    pub name: String,
    /// Home page (optional).
    #[serde(default)]
    pub url: Option<String>,
    /// Base URL under which achievements and credentials are identified
    /// (`<base>/achievements/<id>`, `<base>/credentials/<id>`).
    pub base_url: String,
}

/// What one credential says.
#[derive(Debug, Clone, PartialEq)]
pub struct BadgeRequest<'a> {
    /// The certification earned.
    pub certification: &'a Certification,
    /// Who issues it.
    pub issuer: &'a IssuerProfile,
    /// The credential's own id (unique; becomes `<base>/credentials/<credential_id>`).
    pub credential_id: &'a str,
    /// The student's id in edupulse.
    pub student_id: &'a str,
    /// The student's name (shown by wallets).
    pub student_name: &'a str,
    /// The student's e-mail: stored only salted and hashed (`identifier`), never in clear.
    pub student_email: Option<&'a str>,
    /// When the credential starts being valid (the issue instant).
    pub valid_from: DateTime<Utc>,
    /// Revocation list URL and index (a `BitstringStatusListEntry`).
    pub status: Option<(&'a str, usize)>,
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `validUntil` of a credential valid from `from` for `days` (None when `days` is 0).
pub fn valid_until(from: DateTime<Utc>, days: u32) -> Option<DateTime<Utc>> {
    (days > 0).then(|| from + Duration::days(i64::from(days)))
}

/// Build the unsigned `OpenBadgeCredential`.
///
/// ```
/// use edupulse_core::certify::credential::*;
/// let c = Certification { certification_id: "sql".into(), name: "SQL".into(),
///     description: "d".into(), criteria: "c".into(), validity_days: 365 };
/// let issuer = IssuerProfile { id: "did:web:academia.example".into(), name: "Academia".into(),
///     url: None, base_url: "https://academia.example".into() };
/// let t = chrono::DateTime::parse_from_rfc3339("2025-01-01T00:00:00Z").unwrap().to_utc();
/// let vc = open_badge_credential(&BadgeRequest { certification: &c, issuer: &issuer,
///     credential_id: "sql-s1", student_id: "s1", student_name: "Ana", student_email: None,
///     valid_from: t, status: None }).unwrap();
/// assert_eq!(vc["validUntil"], "2026-01-01T00:00:00Z");
/// ```
pub fn open_badge_credential(r: &BadgeRequest<'_>) -> Result<Value> {
    if r.credential_id.trim().is_empty() {
        return Err(CoreError::param("credential_id", "must not be empty"));
    }
    let base = r.issuer.base_url.trim_end_matches('/');
    let c = r.certification;
    let mut issuer = json!({"id": r.issuer.id, "type": ["Profile"], "name": r.issuer.name});
    if let Some(u) = &r.issuer.url {
        issuer["url"] = json!(u);
    }
    let mut subject = json!({
        "type": ["AchievementSubject"],
        "name": r.student_name,
        "achievement": {
            "id": format!("{base}/achievements/{}", c.certification_id),
            "type": ["Achievement"],
            "name": c.name,
            "description": c.description,
            "criteria": {"narrative": c.criteria},
        }
    });
    if let Some(email) = r.student_email {
        // Open Badges IdentityObject: salted SHA-256 of the normalised e-mail address.
        let salt = format!("{}:{}", c.certification_id, r.student_id);
        let hash = Sha256::digest(format!("{}{salt}", email.trim().to_lowercase()).as_bytes());
        let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
        subject["identifier"] = json!([{
            "type": "IdentityObject",
            "identityHash": format!("sha256${hex}"),
            "identityType": "emailAddress",
            "hashed": true,
            "salt": salt,
        }]);
    }
    let mut vc = json!({
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": format!("{base}/credentials/{}", r.credential_id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": c.name,
        "issuer": issuer,
        "validFrom": ts(r.valid_from),
        "credentialSubject": subject,
    });
    if let Some(until) = valid_until(r.valid_from, c.validity_days) {
        vc["validUntil"] = json!(ts(until));
    }
    if let Some((url, index)) = r.status {
        vc["credentialStatus"] = status_entry(url, "revocation", index);
    }
    Ok(vc)
}
