//! Bindings of `edupulse.forecast`: the daily forecaster. Dates arrive as ISO `YYYY-MM-DD`
//! strings and values as a float64 array; the fitted forecaster stays a Rust object (serde JSON
//! bytes only for pickling); fitting runs with the GIL released.

use crate::churn::{floats, F64In};
use crate::demand::py_param;
use crate::errors::{guard, Failure};
use edupulse::core::forecast::{
    BacktestPoint, ForecastPoint, Forecaster, ForecasterParams, SERIES,
};
use edupulse::core::CoreError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

/// `80.0` → "80", `97.5` → "97.5": the suffix of the `lo_*` / `hi_*` columns.
pub(crate) fn level_name(level: f64) -> String {
    if level.fract() == 0.0 {
        format!("{}", level as i64)
    } else {
        format!("{level}")
    }
}

fn point_dict<'py>(py: Python<'py>, p: &ForecastPoint) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("date", p.date.to_string())?;
    d.set_item("horizon", p.horizon)?;
    d.set_item("mean", p.mean)?;
    for b in &p.bands {
        let l = level_name(b.level);
        d.set_item(format!("lo_{l}"), b.lo)?;
        d.set_item(format!("hi_{l}"), b.hi)?;
    }
    Ok(d)
}

/// A fitted forecaster.
#[pyclass(frozen, module = "edupulse._edupulse")]
pub struct NativeForecaster {
    inner: Forecaster,
}

#[pymethods]
impl NativeForecaster {
    /// Fit on ISO dates and float64 values (same length) with `ForecasterParams` as a dict.
    #[staticmethod]
    #[pyo3(signature = (dates, values, params=None))]
    fn fit(
        py: Python<'_>,
        dates: Vec<String>,
        values: F64In<'_>,
        params: Option<Bound<'_, PyAny>>,
    ) -> PyResult<NativeForecaster> {
        guard(|| {
            let params: ForecasterParams = py_param("params", params.as_ref())?;
            let v = floats("values", &values)?;
            if v.len() != dates.len() {
                return Err(Failure::param(
                    "values",
                    format!("{} values for {} dates", v.len(), dates.len()),
                ));
            }
            let mut points = Vec::with_capacity(v.len());
            for (i, (d, &y)) in dates.iter().zip(v).enumerate() {
                let date = chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
                    CoreError::validation(
                        SERIES,
                        Some(i + 1),
                        Some("date"),
                        format!("{d:?} is not a date"),
                    )
                })?;
                points.push((date, y));
            }
            let inner = py.detach(|| Forecaster::fit(&points, &params))?;
            Ok(NativeForecaster { inner })
        })
    }

    /// Restore from [`NativeForecaster::state`] bytes.
    #[staticmethod]
    fn from_state(state: &[u8]) -> PyResult<NativeForecaster> {
        guard(|| {
            let inner = serde_json::from_slice(state)
                .map_err(|e| Failure::param("state", format!("not a forecaster state: {e}")))?;
            Ok(NativeForecaster { inner })
        })
    }

    /// The fitted forecaster as serde JSON bytes.
    fn state<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let v = guard(|| {
            serde_json::to_vec(&self.inner).map_err(|e| Failure::Internal(e.to_string()))
        })?;
        Ok(PyBytes::new(py, &v))
    }

    /// The forecast: one dict per day (date, horizon, mean, lo_<level>, hi_<level>...).
    fn predict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let rows = py.detach(|| self.inner.predict());
        let list = PyList::empty(py);
        for p in &rows {
            list.append(point_dict(py, p)?)?;
        }
        Ok(list)
    }

    /// Rolling-origin evaluation over the last `windows` horizons: one dict per day (window,
    /// cutoff, model, actual, date, horizon, mean, bounds).
    fn backtest<'py>(&self, py: Python<'py>, windows: usize) -> PyResult<Bound<'py, PyList>> {
        let rows: Vec<BacktestPoint> = guard(|| Ok(py.detach(|| self.inner.backtest(windows))?))?;
        let list = PyList::empty(py);
        for r in &rows {
            let d = point_dict(py, &r.forecast)?;
            d.set_item("window", r.window)?;
            d.set_item("cutoff", r.cutoff.to_string())?;
            d.set_item("model", r.model.name())?;
            d.set_item("actual", r.actual)?;
            list.append(d)?;
        }
        Ok(list)
    }

    /// What was chosen and why: `{chosen, scores: [(name, mae, mase)], origins, interval_kind,
    /// notes, filled}`.
    fn info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let f = &self.inner;
        let d = PyDict::new(py);
        d.set_item("chosen", f.chosen.name())?;
        let scores: Vec<(&str, f64, f64)> = f
            .scores
            .iter()
            .map(|s| (s.candidate.name(), s.mae, s.mase))
            .collect();
        d.set_item("scores", scores)?;
        d.set_item("origins", f.origins)?;
        d.set_item(
            "interval_kind",
            match f.interval_kind {
                edupulse::core::forecast::IntervalKind::Conformal => "conformal",
                _ => "normal",
            },
        )?;
        d.set_item("notes", f.notes.clone())?;
        d.set_item("filled", f.series.filled)?;
        d.set_item("start", f.series.start.to_string())?;
        d.set_item("n_days", f.series.values.len())?;
        Ok(d)
    }
}
