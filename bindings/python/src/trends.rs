//! Bindings of `edupulse_core::trends`: conversion and error mapping only.
//!
//! Arrays cross the boundary as native-endian bytes (`numpy.ndarray.tobytes()` of a float64 or
//! int64 array; one copy of a few hundred kilobytes at most), parameters as dicts of overrides of
//! the Rust defaults, and detector results as JSON text (`edupulse.trends` builds the DataFrame).
//! The GIL is released around the computations.

use crate::errors::{guard, Failure};
use edupulse::core::trends::{
    anomaly::{anomaly_scores as run_anomaly, AnomalyParams},
    changepoint::{change_points_multi, ChangePointParams},
    TrendDetector, TrendParams,
};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use serde::{de::DeserializeOwned, Serialize};

/// Defaults of `T` with the caller's overrides; an unknown or mistyped option is a
/// `ParameterError` naming it.
fn params<T: Serialize + DeserializeOwned + Default>(
    overrides: Option<&Bound<'_, PyDict>>,
) -> Result<T, Failure> {
    let mut value = serde_json::to_value(T::default())
        .map_err(|e| Failure::Internal(format!("cannot serialise defaults: {e}")))?;
    let Some(fields) = value.as_object_mut() else {
        return Err(Failure::Internal(
            "parameters are not an object".to_string(),
        ));
    };
    if let Some(d) = overrides {
        for (k, v) in d.iter() {
            let key: String = k
                .extract()
                .map_err(|_| Failure::param("params", "option names must be str"))?;
            if !fields.contains_key(&key) {
                let known: Vec<&str> = fields.keys().map(String::as_str).collect();
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
    }
    serde_json::from_value(value).map_err(|e| Failure::param("params", e.to_string()))
}

fn f64s(name: &str, b: &[u8]) -> Result<Vec<f64>, Failure> {
    if !b.len().is_multiple_of(8) {
        return Err(Failure::param(name, "byte length is not a multiple of 8"));
    }
    Ok(b.chunks_exact(8)
        .map(|c| f64::from_ne_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
        .collect())
}

fn i64s(name: &str, b: &[u8]) -> Result<Vec<i64>, Failure> {
    if !b.len().is_multiple_of(8) {
        return Err(Failure::param(name, "byte length is not a multiple of 8"));
    }
    Ok(b.chunks_exact(8)
        .map(|c| i64::from_ne_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
        .collect())
}

/// Change points (segment starts) of a float64 series given as bytes, `n_dims` columns
/// row-major.
#[pyfunction]
#[pyo3(signature = (values, n_dims = 1, params = None))]
pub(crate) fn trends_change_points(
    py: Python<'_>,
    values: &Bound<'_, PyBytes>,
    n_dims: usize,
    params: Option<&Bound<'_, PyDict>>,
) -> PyResult<Vec<usize>> {
    guard(|| {
        let p: ChangePointParams = self::params(params)?;
        let v = f64s("values", values.as_bytes())?;
        Ok(py.detach(move || change_points_multi(&v, n_dims, &p))?)
    })
}

/// Causal anomaly scores of a float64 series (bytes); `timestamps` are int64 seconds since the
/// epoch (bytes). Returns float64 bytes.
#[pyfunction]
#[pyo3(signature = (values, timestamps = None, params = None))]
pub(crate) fn trends_anomaly_scores<'py>(
    py: Python<'py>,
    values: &Bound<'py, PyBytes>,
    timestamps: Option<&Bound<'py, PyBytes>>,
    params: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyBytes>> {
    guard(|| {
        let p: AnomalyParams = self::params(params)?;
        let v = f64s("values", values.as_bytes())?;
        let ts = timestamps
            .map(|t| i64s("timestamps", t.as_bytes()))
            .transpose()?;
        let scores = py.detach(move || run_anomaly(&v, ts.as_deref(), &p))?;
        let bytes: Vec<u8> = scores.iter().flat_map(|x| x.to_ne_bytes()).collect();
        Ok(PyBytes::new(py, &bytes))
    })
}

/// Run the trend detector on long-format data: `keywords[i]` observed `volumes[i]` (float64
/// bytes) on day `days[i]` (int64 bytes, days since 1970-01-01). `as_of` (days since the epoch)
/// defaults to the last day. Returns the per-keyword results as JSON text (without the weekly
/// series).
#[pyfunction]
#[pyo3(signature = (keywords, days, volumes, as_of = None, params = None))]
pub(crate) fn trends_detect(
    py: Python<'_>,
    keywords: Vec<String>,
    days: &Bound<'_, PyBytes>,
    volumes: &Bound<'_, PyBytes>,
    as_of: Option<i64>,
    params: Option<&Bound<'_, PyDict>>,
) -> PyResult<String> {
    guard(|| {
        let p: TrendParams = self::params(params)?;
        let det = TrendDetector::new(p)?;
        let d = i64s("days", days.as_bytes())?;
        let v = f64s("volumes", volumes.as_bytes())?;
        if d.len() != keywords.len() || v.len() != keywords.len() {
            return Err(Failure::param(
                "df",
                "keyword, date and volume columns differ in length",
            ));
        }
        py.detach(move || -> Result<String, Failure> {
            let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)
                .ok_or_else(|| Failure::Internal("epoch".to_string()))?;
            let to_date = |x: i64| {
                epoch
                    .checked_add_signed(chrono::Duration::days(x))
                    .ok_or_else(|| Failure::param("date", format!("day {x} is out of range")))
            };
            let as_of = match as_of.or_else(|| d.iter().copied().max()) {
                Some(x) => to_date(x)?,
                None => epoch,
            };
            let mut groups: std::collections::BTreeMap<&str, Vec<(chrono::NaiveDate, f64)>> =
                Default::default();
            for ((k, &day), &vol) in keywords.iter().zip(&d).zip(&v) {
                groups
                    .entry(k.as_str())
                    .or_default()
                    .push((to_date(day)?, vol));
            }
            let mut ws = Default::default();
            // The weekly series (for charts) is not part of the DataFrame: drop it before the
            // JSON hand-back, which it would dominate.
            let out = groups
                .iter()
                .map(|(k, pts)| {
                    det.detect_with(k, pts, as_of, &mut ws).map(|mut t| {
                        t.weekly = Vec::new();
                        t
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            serde_json::to_string(&out).map_err(|e| Failure::Internal(e.to_string()))
        })
    })
}
