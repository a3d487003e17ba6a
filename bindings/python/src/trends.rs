//! Bindings of `edupulse_core::trends`: conversion and error mapping only.
//!
//! Arrays cross the boundary as C-contiguous numpy arrays read in place (float64 values, int64
//! days / seconds / codes; `edupulse.trends` makes them contiguous and of the right dtype);
//! results come back as numpy arrays (scores, moved without a copy) or as dicts of columns
//! (`edupulse.trends` builds the DataFrame). Parameters are dicts of overrides of the Rust
//! defaults. The GIL is released around the computations.

use crate::errors::{guard, Failure};
use edupulse::core::trends::{
    anomaly::{anomaly_scores as run_anomaly, AnomalyParams},
    changepoint::{change_points_multi, ChangePointParams},
    TrendDetector, TrendParams,
};
use edupulse::core::trends::{
    detect_grouped,
    related::{emerging_queries, RelatedKind, RelatedParams, RelatedQuery},
    KeywordTrend,
};
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde::{de::DeserializeOwned, Serialize};

/// Defaults of `T` with the caller's overrides; an unknown or mistyped option is a
/// `ParameterError` naming it (`name` when the names are not str).
pub(crate) fn params<T: Serialize + DeserializeOwned + Default>(
    name: &str,
    overrides: Option<&Bound<'_, PyDict>>,
) -> Result<T, Failure> {
    merged(name, overrides, true)
}

/// Defaults of `T` with the caller's overrides applied one at a time, so that the first option
/// serde rejects is the one named by the `ParameterError`. With `known_only`, an option the
/// defaults do not list is rejected before serde sees it (with the list of known options);
/// otherwise `T`'s own serde rules decide (`deny_unknown_fields` or not). When the defaults do not
/// survive a JSON round trip (a non-finite float), the overrides alone are deserialised, fields
/// left out taking `T`'s serde defaults.
pub(crate) fn merged<T: Serialize + DeserializeOwned + Default>(
    name: &str,
    overrides: Option<&Bound<'_, PyDict>>,
    known_only: bool,
) -> Result<T, Failure> {
    let defaults = serde_json::to_value(T::default())
        .map_err(|e| Failure::Internal(format!("cannot serialise defaults: {e}")))?;
    let round_trips = serde_json::from_value::<T>(defaults.clone()).is_ok();
    let known: Vec<String> = defaults
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .ok_or_else(|| Failure::Internal("parameters are not an object".to_string()))?;
    let mut fields = match defaults {
        serde_json::Value::Object(m) if round_trips => m,
        _ => serde_json::Map::new(),
    };
    let Some(d) = overrides else {
        return Ok(T::default());
    };
    for (k, v) in d.iter() {
        let key: String = k
            .extract()
            .map_err(|_| Failure::param(name, "option names must be str"))?;
        if known_only && !known.contains(&key) {
            return Err(Failure::param(
                &key,
                format!("unknown option (expected: {})", known.join(", ")),
            ));
        }
        let j = super::to_json(&key, &v)?;
        fields.insert(key.clone(), j);
        serde_json::from_value::<T>(serde_json::Value::Object(fields.clone()))
            .map_err(|e| Failure::param(&key, e.to_string()))?;
    }
    serde_json::from_value(serde_json::Value::Object(fields))
        .map_err(|e| Failure::param(name, e.to_string()))
}

/// A contiguous 1-D numpy array as a slice (no copy).
fn slice<'a, T: numpy::Element>(
    a: &'a PyReadonlyArray1<'_, T>,
    name: &str,
) -> Result<&'a [T], Failure> {
    a.as_slice()
        .map_err(|_| Failure::param(name, "expected a contiguous 1-D array"))
}

/// Change points (segment starts) of a float64 series, `n_dims` columns row-major (flattened).
#[pyfunction]
#[pyo3(signature = (values, n_dims = 1, params = None))]
pub(crate) fn trends_change_points(
    py: Python<'_>,
    values: PyReadonlyArray1<'_, f64>,
    n_dims: usize,
    params: Option<&Bound<'_, PyDict>>,
) -> PyResult<Vec<usize>> {
    guard(|| {
        let p: ChangePointParams = self::params("params", params)?;
        let v = slice(&values, "values")?;
        Ok(py.detach(|| change_points_multi(v, n_dims, &p))?)
    })
}

/// Causal anomaly scores of a float64 series; `timestamps` are int64 seconds since the epoch.
#[pyfunction]
#[pyo3(signature = (values, timestamps = None, params = None))]
pub(crate) fn trends_anomaly_scores<'py>(
    py: Python<'py>,
    values: PyReadonlyArray1<'py, f64>,
    timestamps: Option<PyReadonlyArray1<'py, i64>>,
    params: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    guard(|| {
        let p: AnomalyParams = self::params("params", params)?;
        let v = slice(&values, "values")?;
        let ts = timestamps
            .as_ref()
            .map(|t| slice(t, "timestamps"))
            .transpose()?;
        let scores = py.detach(|| run_anomaly(v, ts, &p))?;
        Ok(scores.into_pyarray(py))
    })
}

fn date_text(d: Option<chrono::NaiveDate>) -> Option<String> {
    d.map(|d| d.to_string())
}

/// The detector's results as a dict of columns.
fn trend_columns<'py>(py: Python<'py>, out: &[KeywordTrend]) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    macro_rules! col {
        ($name:literal, $f:expr) => {
            d.set_item($name, PyList::new(py, out.iter().map($f))?)?;
        };
    }
    col!("keyword", |t| t.keyword.as_str());
    col!("decision", |t| t.decision.as_str());
    col!("alert", |t| t.alert.map(|s| s.as_str()));
    col!("episode", |t| t.episode.as_deref());
    col!("growth", |t| t.growth);
    col!("growth_rule", |t| t.growth_rule);
    col!("slope_per_week", |t| t.slope_per_week);
    col!("p_value", |t| t.p_value);
    col!("robust_z", |t| t.robust_z);
    col!("score", |t| t.score);
    col!("level_change", |t| t.level_change);
    col!("change_points", |t| t
        .change_points
        .iter()
        .map(|c| c.to_string())
        .collect::<Vec<_>>());
    col!("cusum_start", |t| date_text(t.cusum_start));
    col!("current_mean", |t| t.current_mean);
    col!("baseline_mean", |t| t.baseline_mean);
    col!("n_points", |t| t.n_points);
    col!("deseasonalised", |t| t.deseasonalised);
    col!("day", |t| t.day.to_string());
    Ok(d)
}

/// Run the trend detector on long-format columns: `codes[i]` (int64, an index into `names`)
/// observed `volumes[i]` (float64) on day `days[i]` (int64, days since 1970-01-01). `as_of` (days
/// since the epoch) defaults to the last day. Series are grouped and analysed in Rust, in
/// parallel, without the GIL. Returns a dict of columns, one row per keyword, sorted by keyword.
#[pyfunction]
#[pyo3(signature = (names, codes, days, volumes, as_of = None, params = None))]
pub(crate) fn trends_detect<'py>(
    py: Python<'py>,
    names: Vec<String>,
    codes: PyReadonlyArray1<'py, i64>,
    days: PyReadonlyArray1<'py, i64>,
    volumes: PyReadonlyArray1<'py, f64>,
    as_of: Option<i64>,
    params: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyDict>> {
    let out = guard(|| {
        let p: TrendParams = self::params("params", params)?;
        let det = TrendDetector::new(p)?;
        let c = slice(&codes, "keyword")?;
        let d = slice(&days, "date")?;
        let v = slice(&volumes, "volume")?;
        let threads = edupulse::learn::parallel::num_threads();
        Ok(py.detach(|| detect_grouped(&names, c, d, v, as_of, &det, threads))?)
    })?;
    trend_columns(py, &out)
}

/// Rising and breakout related queries: one entry per row of the input columns (`values` NaN =
/// missing, i.e. a breakout without a figure; `days` since the epoch; `kinds` "rising", "top" or
/// None). Returns a dict of columns (keyword, related, class, growth_pct, date).
#[pyfunction]
#[pyo3(signature = (keywords, related, values, days, kinds, params = None))]
pub(crate) fn trends_related<'py>(
    py: Python<'py>,
    keywords: Vec<String>,
    related: Vec<String>,
    values: PyReadonlyArray1<'py, f64>,
    days: PyReadonlyArray1<'py, i64>,
    kinds: Vec<Option<String>>,
    params: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyDict>> {
    let out = guard(|| {
        let p: RelatedParams = self::params("params", params)?;
        let v = slice(&values, "value")?;
        let d = slice(&days, "date")?;
        let n = keywords.len();
        if related.len() != n || v.len() != n || d.len() != n || kinds.len() != n {
            return Err(Failure::param("df", "columns differ in length"));
        }
        let mut rows = Vec::with_capacity(n);
        for i in 0..n {
            let kind = match kinds[i].as_deref() {
                None | Some("") => None,
                Some(k) => Some(
                    k.parse::<RelatedKind>()
                        .map_err(|e| Failure::param("kind", format!("row {i}: {e}")))?,
                ),
            };
            let date = i32::try_from(d[i] + 719_163)
                .ok()
                .and_then(chrono::NaiveDate::from_num_days_from_ce_opt)
                .ok_or_else(|| Failure::param("date", format!("row {i}: out of range")))?;
            rows.push(RelatedQuery {
                keyword: keywords[i].clone(),
                related: related[i].clone(),
                value: (!v[i].is_nan()).then_some(v[i]),
                date,
                kind,
            });
        }
        Ok(emerging_queries(&rows, &p)?)
    })?;
    let d = PyDict::new(py);
    d.set_item(
        "keyword",
        PyList::new(py, out.iter().map(|q| q.keyword.as_str()))?,
    )?;
    d.set_item(
        "related",
        PyList::new(py, out.iter().map(|q| q.related.as_str()))?,
    )?;
    d.set_item(
        "class",
        PyList::new(py, out.iter().map(|q| q.class.as_str()))?,
    )?;
    d.set_item(
        "growth_pct",
        PyList::new(py, out.iter().map(|q| q.growth_pct))?,
    )?;
    d.set_item(
        "date",
        PyList::new(py, out.iter().map(|q| q.date.to_string()))?,
    )?;
    Ok(d)
}
