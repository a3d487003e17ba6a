//! Bindings of `edupulse.community`: the recommender. Thin: id and weight columns arrive as
//! lists, the fitted model stays a Rust object (serde JSON bytes only for pickling), fit and
//! recommend run with the GIL released.

use crate::demand::py_param;
use crate::errors::{guard, Failure};
use edupulse::core::community::{Interaction, Recommender, RecommenderParams, UserSegment};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// Recommendation columns: user_id, item_id, rank, score, reason (English), reason_es, fallback.
type RecColumns = (
    Vec<String>,
    Vec<String>,
    Vec<usize>,
    Vec<f64>,
    Vec<String>,
    Vec<String>,
    Vec<bool>,
);

/// A fitted recommender (`edupulse_core::community::Recommender`).
#[pyclass(frozen, module = "edupulse._edupulse")]
pub struct NativeRecommender {
    inner: Recommender,
}

#[pymethods]
impl NativeRecommender {
    /// Fit on parallel `user_ids`, `item_ids`, `weights` columns, with optional segments
    /// `(user_ids, roles, industries)`.
    #[staticmethod]
    #[pyo3(signature = (user_ids, item_ids, weights, params=None, segments=None))]
    fn fit(
        py: Python<'_>,
        user_ids: Vec<String>,
        item_ids: Vec<String>,
        weights: Vec<f64>,
        params: Option<Bound<'_, PyAny>>,
        segments: Option<(Vec<String>, Vec<String>, Vec<String>)>,
    ) -> PyResult<NativeRecommender> {
        guard(|| {
            let params: RecommenderParams = py_param("params", params.as_ref())?;
            if user_ids.len() != item_ids.len() || user_ids.len() != weights.len() {
                return Err(Failure::table(
                    "interactions",
                    None,
                    "user_id, item_id and weight differ in length",
                ));
            }
            let xs: Vec<Interaction> = user_ids
                .into_iter()
                .zip(item_ids)
                .zip(weights)
                .map(|((user_id, item_id), weight)| Interaction {
                    user_id,
                    item_id,
                    weight,
                })
                .collect();
            let segs: Vec<UserSegment> = segments
                .map(|(u, r, i)| {
                    u.into_iter()
                        .zip(r)
                        .zip(i)
                        .map(|((user_id, role), industry)| UserSegment {
                            user_id,
                            role,
                            industry,
                        })
                        .collect()
                })
                .unwrap_or_default();
            let inner = py.detach(|| Recommender::fit(&xs, &segs, &params))?;
            Ok(NativeRecommender { inner })
        })
    }

    /// Restore from [`NativeRecommender::state`] bytes.
    #[staticmethod]
    fn from_state(state: &[u8]) -> PyResult<NativeRecommender> {
        guard(|| {
            let inner = serde_json::from_slice(state)
                .map_err(|e| Failure::param("state", format!("not a recommender state: {e}")))?;
            Ok(NativeRecommender { inner })
        })
    }

    /// The fitted model as serde JSON bytes.
    fn state<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let v = guard(|| {
            serde_json::to_vec(&self.inner).map_err(|e| Failure::Internal(e.to_string()))
        })?;
        Ok(PyBytes::new(py, &v))
    }

    /// Top `k` per user as columns (user_id, item_id, rank, score, reason, reason_es, fallback).
    #[pyo3(signature = (user_ids, k=10, exclude_seen=true, items=None))]
    fn recommend(
        &self,
        py: Python<'_>,
        user_ids: Vec<String>,
        k: usize,
        exclude_seen: bool,
        items: Option<Vec<String>>,
    ) -> PyResult<RecColumns> {
        guard(|| {
            let recs = py.detach(|| {
                self.inner
                    .recommend(&user_ids, k, exclude_seen, items.as_deref())
            })?;
            let mut out: RecColumns = Default::default();
            for r in recs {
                out.4.push(r.reason.text_en());
                out.5.push(r.reason.text_es());
                out.0.push(r.user_id);
                out.1.push(r.item_id);
                out.2.push(r.rank);
                out.3.push(r.score);
                out.6.push(r.fallback);
            }
            Ok(out)
        })
    }

    /// Users seen at fit time.
    fn users(&self) -> Vec<String> {
        self.inner.users().to_vec()
    }

    /// Items seen at fit time.
    fn items(&self) -> Vec<String> {
        self.inner.items().to_vec()
    }
}

/// One community result table (`edupulse_core::community::community_table`) from
/// `{table: {column: list}}` as of `as_of` (unix seconds; default: the latest activity), with
/// `params` a `[job.community]` mapping and `period` `month` / `all_time` for the leaderboard.
/// Returns `{"as_of": [...], column: [...]}`.
#[pyfunction]
#[pyo3(signature = (tables, table, as_of=None, params=None, period=None))]
pub(crate) fn community_table<'py>(
    py: Python<'py>,
    tables: &Bound<'py, PyAny>,
    table: String,
    as_of: Option<i64>,
    params: Option<Bound<'py, PyAny>>,
    period: Option<String>,
) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
    let set = guard(|| {
        let config: edupulse::core::community::CommunityConfig =
            py_param("params", params.as_ref())?;
        let period = period
            .as_deref()
            .map(str::parse::<edupulse::core::community::Period>)
            .transpose()?;
        let raw = crate::convert::extract_tables(tables)?;
        py.detach(move || -> Result<_, Failure> {
            let mut t = crate::convert::parse_tables(&raw)?;
            t.validate()?;
            let at = match as_of {
                Some(s) => chrono::DateTime::from_timestamp(s, 0)
                    .ok_or_else(|| Failure::param("as_of", "not a representable time"))?,
                None => t
                    .activity
                    .iter()
                    .map(|a| a.at)
                    .max()
                    .unwrap_or(chrono::DateTime::UNIX_EPOCH),
            };
            Ok(edupulse::core::community::community_table(
                &t, at, &config, &table, period,
            )?)
        })
    })?;
    crate::convert::result_set_to_py(py, set)
}
