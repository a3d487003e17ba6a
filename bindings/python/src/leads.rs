//! Bindings of `edupulse.leads`: the points rule over a lead_events table. (`LeadModel` reuses
//! the shared classifier's bindings in `churn.rs`.) Long work runs with the GIL released.

use crate::errors::{guard, Failure};
use chrono::DateTime;
use edupulse::core::leads::{LeadScorer, PointsParams};
use edupulse::core::model::{LeadEvent, LeadEventKind};
use pyo3::prelude::*;

/// One scored lead: (lead_id, engagement, score, grade, [(kind, count, points)]).
type Scored = (String, f64, f64, String, Vec<(String, String, f64)>);

/// Score the events (`lead_id`, `at` in unix seconds, `kind` text) with the points rule
/// (`params`: a dict of `PointsParams` fields, missing ones default) at `as_of` (unix seconds; default:
/// the last event). Returns one row per lead in id order and the number of events after `as_of`.
#[pyfunction]
#[pyo3(signature = (lead_id, at, kind, params=None, as_of=None))]
pub(crate) fn leads_score(
    py: Python<'_>,
    lead_id: Vec<String>,
    at: Vec<i64>,
    kind: Vec<String>,
    params: Option<Bound<'_, PyAny>>,
    as_of: Option<i64>,
) -> PyResult<(Vec<Scored>, usize)> {
    guard(|| {
        let params: PointsParams = crate::demand::py_param("params", params.as_ref())?;
        let scorer = LeadScorer::new(params)?;
        if lead_id.len() != at.len() || lead_id.len() != kind.len() {
            return Err(Failure::table(
                "lead_events",
                None,
                format!(
                    "columns differ in length: lead_id {}, at {}, kind {}",
                    lead_id.len(),
                    at.len(),
                    kind.len()
                ),
            ));
        }
        py.detach(move || -> Result<(Vec<Scored>, usize), Failure> {
            let mut events = Vec::with_capacity(lead_id.len());
            for (i, ((id, t), k)) in lead_id.into_iter().zip(at).zip(&kind).enumerate() {
                let kind: LeadEventKind = k.parse().map_err(|e: String| {
                    Failure::Core(edupulse::core::CoreError::validation(
                        "lead_events",
                        Some(i + 1),
                        Some("kind"),
                        e,
                    ))
                })?;
                let at = DateTime::from_timestamp(t, 0).ok_or_else(|| {
                    Failure::Core(edupulse::core::CoreError::validation(
                        "lead_events",
                        Some(i + 1),
                        Some("at"),
                        format!("{t} is not a representable time"),
                    ))
                })?;
                events.push(LeadEvent {
                    lead_id: id,
                    at,
                    kind,
                    value: None,
                });
            }
            let t = match as_of {
                Some(s) => DateTime::from_timestamp(s, 0)
                    .ok_or_else(|| Failure::param("as_of", "not a representable time"))?,
                None => events
                    .iter()
                    .map(|e| e.at)
                    .max()
                    .unwrap_or(DateTime::UNIX_EPOCH),
            };
            let b = scorer.score(&events, None, t)?;
            let rows = b
                .scores
                .into_iter()
                .map(|s| {
                    (
                        s.lead_id,
                        s.engagement,
                        s.score,
                        s.grade.as_str().to_string(),
                        s.factors
                            .into_iter()
                            .map(|f| (f.column, f.value, f.contribution))
                            .collect(),
                    )
                })
                .collect();
            Ok((rows, b.ignored_after_as_of))
        })
    })
}
