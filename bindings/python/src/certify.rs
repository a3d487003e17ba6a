//! Bindings of `edupulse.certify`: Data Integrity `eddsa-jcs-2022` signing and verification,
//! Bitstring Status Lists and certification eligibility. Documents cross as JSON text (the
//! Python side calls `json.dumps` / `json.loads`), so no Python object shape reaches the verifier
//! unchecked. Verification never raises for an untrusted document; a private key never appears
//! in an error.

use std::collections::BTreeMap;

use chrono::DateTime;
use edupulse::core::certify::{
    self, keys, rules::CertificationSpec, verify::VerifyOptions, ProofOptions, StatusList,
};
use pyo3::prelude::*;

use crate::errors::{guard, Failure};

fn parse_json(what: &str, text: &str) -> Result<serde_json::Value, Failure> {
    serde_json::from_str(text).map_err(|e| Failure::param(what, format!("not JSON: {e}")))
}

/// Sign the JSON object `document` with the multibase Ed25519 private key; returns the signed
/// document as JSON text.
#[pyfunction]
pub(crate) fn certify_sign(
    document: String,
    private_key_multibase: String,
    verification_method: String,
    created: String,
) -> PyResult<String> {
    guard(|| {
        let doc = parse_json("document", &document)?;
        let key = keys::parse_private_key_multibase(&private_key_multibase)?;
        if DateTime::parse_from_rfc3339(&created).is_err() {
            return Err(Failure::param("created", "not an RFC 3339 date-time"));
        }
        let opts = ProofOptions::assertion(&verification_method, &created);
        let signed = certify::sign(&doc, &key, &opts)?;
        Ok(signed.to_string())
    })
}

/// Verify JSON `document`; `status_lists` maps URLs to status-list credentials (JSON text);
/// `now` is unix seconds. Returns (valid, {check: passed}, error).
#[pyfunction]
#[pyo3(signature = (document, status_lists, now=None))]
pub(crate) fn certify_verify(
    document: String,
    status_lists: BTreeMap<String, String>,
    now: Option<f64>,
) -> PyResult<(bool, BTreeMap<String, bool>, Option<String>)> {
    guard(|| {
        let doc: serde_json::Value = match serde_json::from_str(&document) {
            Ok(v) => v,
            Err(e) => {
                let checks = certify::Check::ALL
                    .iter()
                    .map(|c| (c.as_str().to_string(), false))
                    .collect();
                return Ok((
                    false,
                    checks,
                    Some(format!("proof: document is not JSON: {e}")),
                ));
            }
        };
        let mut opts = VerifyOptions::default();
        if let Some(t) = now {
            let secs = t.floor();
            let nanos = ((t - secs) * 1e9) as u32;
            opts.now = Some(
                DateTime::from_timestamp(secs as i64, nanos)
                    .ok_or_else(|| Failure::param("now", "not a representable time"))?,
            );
        }
        for (url, text) in status_lists {
            // An unparsable list is kept as a JSON string: verification then fails on `status`.
            let v = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
            opts.status_lists.insert(url, v);
        }
        let v = certify::verify(&doc, &opts);
        let checks = v
            .checks
            .iter()
            .map(|(c, ok)| (c.as_str().to_string(), *ok))
            .collect();
        Ok((v.valid, checks, v.error))
    })
}

/// A W3C Bitstring Status List.
#[pyclass(module = "edupulse._edupulse")]
pub struct NativeStatusList {
    inner: StatusList,
}

#[pymethods]
impl NativeStatusList {
    /// An all-clear list of `size` bits (≥ 131,072, a multiple of 8).
    #[new]
    fn new(size: usize) -> PyResult<Self> {
        guard(|| {
            Ok(NativeStatusList {
                inner: StatusList::new(size)?,
            })
        })
    }

    /// Decode an `encodedList` (multibase base64url of GZIP).
    #[staticmethod]
    fn decode(encoded: String) -> PyResult<Self> {
        guard(|| {
            Ok(NativeStatusList {
                inner: StatusList::decode(&encoded)?,
            })
        })
    }

    /// Set bit `index`.
    fn revoke(&mut self, index: usize) -> PyResult<()> {
        guard(|| Ok(self.inner.revoke(index)?))
    }

    /// Whether bit `index` is set.
    fn is_revoked(&self, index: usize) -> PyResult<bool> {
        guard(|| Ok(self.inner.is_revoked(index)?))
    }

    /// The `encodedList`.
    fn encoded(&self) -> PyResult<String> {
        guard(|| Ok(self.inner.encode()?))
    }

    /// Length in bits.
    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// Indices of the set bits.
    fn revoked(&self) -> Vec<usize> {
        self.inner.revoked()
    }
}

/// One eligibility row: (student_id, certification_id, standing, met, required, missing,
/// attendance, quizzes, lessons, retention).
type Row = (
    String,
    String,
    String,
    u32,
    u32,
    Vec<String>,
    Option<f64>,
    u32,
    u32,
    Option<f64>,
);

/// Evaluate `{table: {column: list}}` against the certifications (JSON list of
/// `{certification_id, name, description, criteria, validity_days, requirements}`) as of `as_of`
/// (unix seconds; default: the latest event in the tables).
#[pyfunction]
#[pyo3(signature = (tables, certifications, as_of=None))]
pub(crate) fn certify_eligibility(
    py: Python<'_>,
    tables: &Bound<'_, PyAny>,
    certifications: String,
    as_of: Option<i64>,
) -> PyResult<Vec<Row>> {
    guard(|| {
        let specs: Vec<CertificationSpec> = serde_json::from_str(&certifications)
            .map_err(|e| Failure::param("certifications", e.to_string()))?;
        let raw = crate::convert::extract_tables(tables)?;
        py.detach(move || -> Result<Vec<Row>, Failure> {
            let mut t = crate::convert::parse_tables(&raw)?;
            t.validate()?;
            let at = match as_of {
                Some(s) => DateTime::from_timestamp(s, 0)
                    .ok_or_else(|| Failure::param("as_of", "not a representable time"))?,
                None => latest(&t),
            };
            let rows = certify::eligibility(&t, &specs, at)?;
            Ok(rows
                .into_iter()
                .map(|r| {
                    (
                        r.student_id,
                        r.certification_id,
                        r.standing.as_str().to_string(),
                        r.met,
                        r.required,
                        r.missing,
                        r.attendance,
                        r.quizzes,
                        r.lessons,
                        r.retention,
                    )
                })
                .collect())
        })
    })
}

fn latest(t: &edupulse::core::Tables) -> DateTime<chrono::Utc> {
    let a = t.activity.iter().map(|x| x.at);
    let r = t.reviews.iter().map(|x| x.at);
    let w = t.webinars.iter().map(|x| x.starts_at);
    a.chain(r).chain(w).max().unwrap_or(DateTime::UNIX_EPOCH)
}
