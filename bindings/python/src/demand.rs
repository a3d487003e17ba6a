//! Bindings of `edupulse.demand`: the tabular forest / GBDT regressors and the demand model.
//! Thin: numeric columns and targets arrive as float64 numpy arrays (targets read in place), fitted models stay in Rust objects (their serde
//! JSON bytes are only produced for pickling), long work runs with the GIL released.

use crate::churn::{floats, table, F64In, F64Out};
use crate::convert::{extract_tables, parse_tables};
use crate::errors::{guard, Failure};
use edupulse::core::demand::{DemandModel, DemandParams, FittedDemand, SlotParams};
use edupulse::core::learn::{Ensemble, RegressorKind, RegressorParams, TabularRegressor};
use edupulse::core::model::{Tables, Webinar};
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// Parameters from a Python dict (missing fields default), or the defaults when None. An unknown
/// or mistyped field is a `ParameterError` naming that field (not `name`); a value that is not a
/// dict is one naming `name`.
pub(crate) fn py_param<T: serde::de::DeserializeOwned + serde::Serialize + Default>(
    name: &str,
    value: Option<&Bound<'_, PyAny>>,
) -> Result<T, Failure> {
    match value {
        Some(v) if !v.is_none() => {
            let dict = v.cast::<pyo3::types::PyDict>().map_err(|_| {
                Failure::param(
                    name,
                    format!(
                        "expected a dict, got {}",
                        v.get_type()
                            .name()
                            .map_or_else(|_| "?".to_string(), |n| n.to_string())
                    ),
                )
            })?;
            crate::trends::merged(name, Some(dict), false)
        }
        _ => Ok(T::default()),
    }
}

/// A Rust result as Python objects (dicts, lists, numbers, str, None).
fn to_py<'py, T: serde::Serialize>(py: Python<'py>, v: &T) -> Result<Bound<'py, PyAny>, Failure> {
    pythonize::pythonize(py, v)
        .map_err(|e| Failure::Internal(format!("cannot convert a result: {e}")))
}

/// A fitted forest or GBDT regressor over named columns.
#[pyclass(frozen, module = "edupulse._edupulse")]
pub struct NativeRegressor {
    inner: TabularRegressor,
}

#[pymethods]
impl NativeRegressor {
    /// Fit `kind` ("forest" or "gbdt") on `[(name, numeric, values)]` and float64 targets.
    /// Ctrl-C stops the fit; `progress(ticks, done, total)` is called while it runs.
    #[staticmethod]
    #[pyo3(signature = (kind, columns, y, params=None, progress=None))]
    fn fit(
        py: Python<'_>,
        kind: &str,
        columns: Vec<(String, bool, Bound<'_, PyAny>)>,
        y: F64In<'_>,
        params: Option<Bound<'_, PyAny>>,
        progress: Option<Bound<'_, PyAny>>,
    ) -> PyResult<NativeRegressor> {
        guard(|| {
            let mut params: RegressorParams = py_param("params", params.as_ref())?;
            params.kind = match kind {
                "forest" => RegressorKind::Forest,
                "gbdt" => RegressorKind::Gbdt,
                other => {
                    return Err(Failure::param(
                        "kind",
                        format!("`{other}`: expected \"forest\" or \"gbdt\""),
                    ))
                }
            };
            let data = table(columns)?;
            let y = floats("y", &y)?;
            let inner = crate::watch::watched(py, progress.as_ref(), || {
                Ok(TabularRegressor::fit(&data, y, &params)?)
            })?;
            Ok(NativeRegressor { inner })
        })
    }

    /// Restore from [`NativeRegressor::state`] bytes.
    #[staticmethod]
    fn from_state(state: &[u8]) -> PyResult<NativeRegressor> {
        guard(|| {
            let inner = serde_json::from_slice(state)
                .map_err(|e| Failure::param("state", format!("not a regressor state: {e}")))?;
            Ok(NativeRegressor { inner })
        })
    }

    /// The fitted model as serde JSON bytes.
    fn state<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let v = guard(|| {
            serde_json::to_vec(&self.inner).map_err(|e| Failure::Internal(e.to_string()))
        })?;
        Ok(PyBytes::new(py, &v))
    }

    /// Predictions as a float64 array.
    fn predict<'py>(
        &self,
        py: Python<'py>,
        columns: Vec<(String, bool, Bound<'py, PyAny>)>,
    ) -> PyResult<F64Out<'py>> {
        let p = guard(|| {
            let data = table(columns)?;
            Ok(py.detach(|| self.inner.predict(&data))?)
        })?;
        Ok(PyArray1::from_vec(py, p))
    }

    /// (prediction, lower, upper) as float64 arrays: `kind` "prediction" (a new row's target,
    /// `TabularRegressor::predict_interval`) or "mean" (the conditional mean,
    /// `TabularRegressor::predict_mean_interval`).
    #[pyo3(signature = (columns, alpha, kind="prediction"))]
    fn predict_interval<'py>(
        &self,
        py: Python<'py>,
        columns: Vec<(String, bool, Bound<'py, PyAny>)>,
        alpha: f64,
        kind: &str,
    ) -> PyResult<(F64Out<'py>, F64Out<'py>, F64Out<'py>)> {
        let iv = guard(|| {
            let mean = match kind {
                "prediction" => false,
                "mean" => true,
                other => {
                    return Err(Failure::param(
                        "kind",
                        format!("expected 'prediction' or 'mean', got {other:?}"),
                    ))
                }
            };
            let data = table(columns)?;
            Ok(py.detach(|| {
                if mean {
                    self.inner.predict_mean_interval(&data, alpha)
                } else {
                    self.inner.predict_interval(&data, alpha)
                }
            })?)
        })?;
        let m: Vec<f64> = iv.iter().map(|i| i.prediction).collect();
        let lo: Vec<f64> = iv.iter().map(|i| i.lower).collect();
        let hi: Vec<f64> = iv.iter().map(|i| i.upper).collect();
        Ok((
            PyArray1::from_vec(py, m),
            PyArray1::from_vec(py, lo),
            PyArray1::from_vec(py, hi),
        ))
    }

    /// The training columns and whether each is numeric.
    fn columns(&self) -> Vec<(String, bool)> {
        let enc = &self.inner.encoder;
        enc.columns
            .iter()
            .zip(&enc.encodings)
            .map(|(c, e)| {
                (
                    c.clone(),
                    matches!(e, edupulse::core::learn::ColumnEncoding::Numeric { .. }),
                )
            })
            .collect()
    }

    /// Importance per training column.
    fn feature_importances(&self) -> Vec<f64> {
        self.inner.feature_importances.clone()
    }

    /// Number of trees.
    fn n_trees(&self) -> usize {
        match &self.inner.model {
            Ensemble::Forest(f) => f.trees.len(),
            Ensemble::Gbdt(g) => g.trees.len(),
            _ => 0,
        }
    }
}

fn tables(native: &Bound<'_, PyAny>) -> Result<Tables, Failure> {
    let raw = extract_tables(native)?;
    Ok(parse_tables(&raw)?)
}

/// A fitted demand model.
#[pyclass(frozen, module = "edupulse._edupulse")]
pub struct NativeDemand {
    inner: FittedDemand,
}

#[pymethods]
impl NativeDemand {
    /// Fit on native `{"webinars": ..., "registrations": ...}` columns.
    #[staticmethod]
    /// Ctrl-C stops the fit; `progress(ticks, done, total)` is called while it runs.
    #[pyo3(signature = (native, params=None, progress=None))]
    fn fit(
        py: Python<'_>,
        native: &Bound<'_, PyAny>,
        params: Option<Bound<'_, PyAny>>,
        progress: Option<Bound<'_, PyAny>>,
    ) -> PyResult<NativeDemand> {
        guard(|| {
            let params: DemandParams = py_param("params", params.as_ref())?;
            let t = tables(native)?;
            let inner = crate::watch::watched(py, progress.as_ref(), move || {
                Ok(DemandModel::fit(&t.webinars, &t.registrations, &params)?)
            })?;
            Ok(NativeDemand { inner })
        })
    }

    /// Restore from [`NativeDemand::state`] bytes.
    #[staticmethod]
    fn from_state(state: &[u8]) -> PyResult<NativeDemand> {
        guard(|| {
            let inner = serde_json::from_slice(state)
                .map_err(|e| Failure::param("state", format!("not a demand state: {e}")))?;
            Ok(NativeDemand { inner })
        })
    }

    /// The fitted model as serde JSON bytes.
    fn state<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let v = guard(|| {
            serde_json::to_vec(&self.inner).map_err(|e| Failure::Internal(e.to_string()))
        })?;
        Ok(PyBytes::new(py, &v))
    }

    /// Forecasts of the webinars in native `{"webinars": ...}` columns: a list of
    /// `(webinar_id, {forecast fields})`.
    fn predict<'py>(
        &self,
        py: Python<'py>,
        native: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            let t = tables(native)?;
            let out = py.detach(|| -> Result<Vec<_>, Failure> {
                let mut out = Vec::new();
                for w in &t.webinars {
                    let f = self.inner.predict_webinar(w)?;
                    out.push((w.webinar_id.clone(), f));
                }
                Ok(out)
            })?;
            to_py(py, &out)
        })
    }

    /// The slot ranking (a dict) of the first webinar of `native`, with the other webinars of
    /// `others` as same-segment constraints. `params`: a dict of `SlotParams` fields.
    #[pyo3(signature = (native, others, params=None))]
    fn best_slots<'py>(
        &self,
        py: Python<'py>,
        native: &Bound<'py, PyAny>,
        others: &Bound<'py, PyAny>,
        params: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            let params: SlotParams = py_param("params", params.as_ref())?;
            let t = tables(native)?;
            let o = tables(others)?;
            let w: &Webinar = t
                .webinars
                .first()
                .ok_or_else(|| Failure::param("webinar", "no webinar given"))?;
            let r = py.detach(|| self.inner.best_slots(w, &o.webinars, &params))?;
            to_py(py, &r)
        })
    }

    /// Importance per feature column: [(name, importance)].
    fn importances(&self) -> Vec<(String, f64)> {
        self.inner.importances.clone()
    }
}
