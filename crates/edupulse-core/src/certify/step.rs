//! The certification step of the daily job.
//!
//! Writes `cert_eligibility`: every student who is **eligible** for, or **close** to, a
//! configured certification as of the run, with what is missing. A student who becomes eligible
//! raises one outbox notification, dedupe key `certify:eligible:<certification>:<student>`, so
//! re-runs and later days send nothing new. Issuing and signing the credentials needs the
//! issuer's secret key and is done by `edupulse certs issue` (facade crate), not here.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::rules::{eligibility_in, index_specs, CertificationSpec, Standing};
use crate::error::Result;
use crate::job::{Step, StepOutput};
use crate::model::Tables;
use crate::results::{Notification, ResultSet, Severity};

crate::text_result_field!(Standing);

/// Parameters of the certification step.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CertifyConfig {
    /// The certifications and their requirements (none: the step writes an empty table).
    pub certifications: Vec<CertificationSpec>,
    /// The local clock (`[job] timezone`, set by the job; not a configuration key; UTC by
    /// default): requirement windows are local days.
    #[serde(skip)]
    pub clock: crate::clock::LocalClock,
}

impl CertifyConfig {
    /// Check the parameters (requirements valid, ids unique).
    pub fn validate(&self) -> Result<()> {
        index_specs(&self.certifications).map(|_| ())
    }
}

crate::result_table! {
    /// One student × certification that is eligible or close.
    #[table = "cert_eligibility", step = "certify", key = [certification_id, student_id]]
    pub struct CertEligibilityRow {
        /// Certification id.
        pub certification_id: String,
        /// Student id.
        pub student_id: String,
        /// `eligible` or `close`.
        pub standing: Standing,
        /// Requirements met.
        pub met: u32,
        /// Requirements configured.
        pub required: u32,
        /// What is missing, one phrase per unmet requirement.
        pub missing: Vec<String>,
        /// Share of the course's webinars attended.
        pub attendance: Option<f64>,
        /// Quizzes passed in the window.
        pub quizzes: u32,
        /// Lessons completed in the window.
        pub lessons: u32,
        /// Review retention in the window.
        pub retention: Option<f64>,
    }
}

crate::result_table! {
    /// One credential issued by `edupulse certs issue`, as of the issuing run that recorded it
    /// (every credential issued so far, revoked ones included: the issuer's register).
    #[table = "cert_issued", step = "certs_issue", key = [credential_id]]
    pub struct CertIssuedRow {
        /// Credential id (the file stem under `credentials/`).
        pub credential_id: String,
        /// Certification id.
        pub certification_id: String,
        /// Student id.
        pub student_id: String,
        /// Bit of the credential in the status list.
        pub status_index: u64,
        /// `validFrom`.
        pub valid_from: DateTime<Utc>,
        /// `validUntil` (none: never expires).
        pub valid_until: Option<DateTime<Utc>>,
        /// Revoked in the status list.
        pub revoked: bool,
        /// Not revoked and `validUntil` within the renewal-reminder window after `as_of`.
        pub expiring_soon: bool,
    }
}

/// The renewal reminders for `issued` at `as_of`: one per credential marked `expiring_soon`,
/// keyed by credential and expiry date, so a reminder is sent once per credential (a renewed
/// credential has another id and gets its own).
pub fn renewal_notifications(issued: &[CertIssuedRow], as_of: DateTime<Utc>) -> Vec<Notification> {
    renewal_notifications_in(issued, as_of, &crate::clock::LocalClock::UTC)
}

/// [`renewal_notifications`] with the expiry dates (dedupe key, title, body) as local dates of
/// `clock`.
pub fn renewal_notifications_in(
    issued: &[CertIssuedRow],
    as_of: DateTime<Utc>,
    clock: &crate::clock::LocalClock,
) -> Vec<Notification> {
    issued
        .iter()
        .filter(|r| r.expiring_soon)
        .filter_map(|r| {
            let until = clock.date(r.valid_until?);
            Some(Notification {
                dedupe_key: format!(
                    "certify:renewal:{}:{}",
                    r.credential_id,
                    until.format("%Y-%m-%d")
                ),
                kind: "cert_renewal".into(),
                severity: Severity::Low,
                title: format!(
                    "Renovación de certificación: {} — {} caduca el {}",
                    r.student_id,
                    r.certification_id,
                    until.format("%d/%m/%Y")
                ),
                body: format!(
                    "The credential {} ({} for {}) expires on {}; the student can renew it by \
                     meeting the requirements again (`edupulse certs issue` renews an expired \
                     credential of a student who still qualifies).",
                    r.credential_id,
                    r.certification_id,
                    r.student_id,
                    until.format("%Y-%m-%d")
                ),
                payload: serde_json::to_value(r).unwrap_or_default(),
                created_at: as_of,
            })
        })
        .collect()
}

/// The certification step.
#[derive(Debug, Clone, Default)]
pub struct CertifyStep {
    /// Parameters.
    pub config: CertifyConfig,
}

impl Step for CertifyStep {
    fn name(&self) -> &str {
        "certify"
    }

    fn run(&self, tables: &Tables, as_of: DateTime<Utc>) -> Result<StepOutput> {
        self.config.validate()?;
        let names: std::collections::HashMap<&str, &str> = self
            .config
            .certifications
            .iter()
            .map(|c| {
                (
                    c.certification.certification_id.as_str(),
                    c.certification.name.as_str(),
                )
            })
            .collect();
        let mut rows = Vec::new();
        let mut notifications = Vec::new();
        for e in eligibility_in(
            tables,
            &self.config.certifications,
            as_of,
            &self.config.clock,
        )? {
            if !matches!(e.standing, Standing::Eligible | Standing::Close) {
                continue;
            }
            if e.standing == Standing::Eligible {
                let name = names
                    .get(e.certification_id.as_str())
                    .copied()
                    .unwrap_or("");
                notifications.push(Notification {
                    dedupe_key: format!("certify:eligible:{}:{}", e.certification_id, e.student_id),
                    kind: "cert_eligible".into(),
                    severity: Severity::Medium,
                    title: format!("Certificación lista: {} — {}", e.student_id, name),
                    body: format!(
                        "{} meets every requirement of {} ({}); issue the credential with \
                         `edupulse certs issue`.",
                        e.student_id, e.certification_id, name
                    ),
                    payload: serde_json::to_value(&e).unwrap_or_default(),
                    created_at: as_of,
                });
            }
            rows.push(e);
        }
        let eligible = rows
            .iter()
            .filter(|r| r.standing == Standing::Eligible)
            .count();
        let summary = serde_json::json!({
            "certifications": self.config.certifications.len(),
            "eligible": eligible,
            "close": rows.len() - eligible,
        });
        Ok(StepOutput {
            results: vec![ResultSet::of(as_of, &rows)],
            notifications,
            summary,
        })
    }
}
