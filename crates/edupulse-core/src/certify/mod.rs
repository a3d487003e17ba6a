//! Certification: who has earned a certificate, and the signed Open Badges 3.0 credential that
//! proves it to anyone.
//!
//! - [`rules`]: requirements evaluated from the existing tables: eligible / close / missing;
//! - [`credential`]: the Open Badges 3.0 `OpenBadgeCredential` of an earned certification;
//! - [`jcs`]: RFC 8785 JSON canonicalisation (the bytes a document signs as);
//! - [`keys`]: multibase, multicodec Ed25519 keys and `did:key`, resolved locally;
//! - [`proof`]: Data Integrity `eddsa-jcs-2022` signing;
//! - [`verify`]: verification that names the failing check;
//! - [`status`]: W3C Bitstring Status List v1.0 revocation;
//! - [`step`]: the `certify` step of the daily job (`cert_eligibility`, eligibility alerts).
//!
//! All pure: keys come in as values; reading them from the environment or a file is the facade's
//! and the CLI's job.

pub mod credential;
pub mod jcs;
pub mod keys;
pub mod proof;
pub mod rules;
pub mod status;
pub mod step;
pub mod verify;

pub use credential::{open_badge_credential, BadgeRequest, Certification, IssuerProfile};
pub use proof::{sign, ProofOptions};
pub use rules::{
    eligibility, eligibility_in, CertificationSpec, Eligibility, Requirements, Standing,
};
pub use status::StatusList;
pub use step::{
    renewal_notifications, renewal_notifications_in, CertEligibilityRow, CertIssuedRow,
    CertifyConfig, CertifyStep,
};
pub use verify::{verify, Check, Verification, VerifyOptions};

#[cfg(test)]
mod tests;
