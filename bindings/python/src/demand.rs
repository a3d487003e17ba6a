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

fn json_param<T: serde::de::DeserializeOwned + Default>(
    name: &str,
    j: Option<String>,
) -> Result<T, Failure> {
    match j {
        Some(j) => serde_json::from_str(&j).map_err(|e| Failure::param(name, e.to_string())),
        None => Ok(T::default()),
    }
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
    #[pyo3(signature = (kind, columns, y, params_json=None, progress=None))]
    fn fit(
        py: Python<'_>,
        kind: &str,
        columns: Vec<(String, bool, Bound<'_, PyAny>)>,
        y: F64In<'_>,
        params_json: Option<String>,
        progress: Option<Bound<'_, PyAny>>,
    ) -> PyResult<NativeRegressor> {
        guard(|| {
            let mut params: RegressorParams = json_param("params", params_json)?;
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

    /// (prediction, lower, upper) as float64 arrays.
    fn predict_interval<'py>(
        &self,
        py: Python<'py>,
        columns: Vec<(String, bool, Bound<'py, PyAny>)>,
        alpha: f64,
    ) -> PyResult<(F64Out<'py>, F64Out<'py>, F64Out<'py>)> {
        let iv = guard(|| {
            let data = table(columns)?;
            Ok(py.detach(|| self.inner.predict_interval(&data, alpha))?)
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
    #[pyo3(signature = (native, params_json=None, progress=None))]
    fn fit(
        py: Python<'_>,
        native: &Bound<'_, PyAny>,
        params_json: Option<String>,
        progress: Option<Bound<'_, PyAny>>,
    ) -> PyResult<NativeDemand> {
        guard(|| {
            let params: DemandParams = json_param("params", params_json)?;
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

    /// Forecasts (JSON list) of the webinars in native `{"webinars": ...}` columns.
    fn predict(&self, py: Python<'_>, native: &Bound<'_, PyAny>) -> PyResult<String> {
        guard(|| {
            let t = tables(native)?;
            py.detach(|| -> Result<String, Failure> {
                let mut out = Vec::new();
                for w in &t.webinars {
                    let f = self.inner.predict_webinar(w)?;
                    out.push((w.webinar_id.clone(), f));
                }
                serde_json::to_string(&out).map_err(|e| Failure::Internal(e.to_string()))
            })
        })
    }

    /// The slot ranking (JSON) of the first webinar of `native`, with the other webinars of
    /// `others` as same-segment constraints.
    #[pyo3(signature = (native, others, params_json=None))]
    fn best_slots(
        &self,
        py: Python<'_>,
        native: &Bound<'_, PyAny>,
        others: &Bound<'_, PyAny>,
        params_json: Option<String>,
    ) -> PyResult<String> {
        guard(|| {
            let params: SlotParams = json_param("params", params_json)?;
            let t = tables(native)?;
            let o = tables(others)?;
            let w: &Webinar = t
                .webinars
                .first()
                .ok_or_else(|| Failure::param("webinar", "no webinar given"))?;
            py.detach(|| -> Result<String, Failure> {
                let r = self.inner.best_slots(w, &o.webinars, &params)?;
                serde_json::to_string(&r).map_err(|e| Failure::Internal(e.to_string()))
            })
        })
    }

    /// Importance per feature column: [(name, importance)].
    fn importances(&self) -> Vec<(String, f64)> {
        self.inner.importances.clone()
    }
}
