//! Bindings of `edupulse.churn`: buy-till-you-die models, the transaction summary and the shared
//! tabular classifier. Thin: numeric columns arrive as contiguous `float64` numpy arrays, read in
//! place (no copy; the Python side converts other dtypes once), results leave as numpy arrays that
//! take over the Rust buffer; the fitted classifier stays in Rust (`NativeClassifier`), its serde JSON
//! bytes only produced for pickling. Long work runs with the GIL released.

use crate::errors::{guard, Failure};
use chrono::{DateTime, Utc};
use edupulse::core::churn::{
    customer_lifetime_value, summary_from_transactions, BetaGeo, FitParams, GammaGamma, ParetoNbd,
    SummaryParams, TimeUnit, TransactionModel,
};
use edupulse::core::learn::{
    ClassifierParams, ColumnData, ModelKind, TabularClassifier, TabularData,
};
use numpy::{PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// A read-only contiguous `float64` array from Python.
pub(crate) type F64In<'py> = PyReadonlyArray1<'py, f64>;
/// A `float64` array handed to Python (it owns the Rust buffer).
pub(crate) type F64Out<'py> = Bound<'py, PyArray1<f64>>;

/// The array's values in place (C-contiguous arrays only; no copy).
pub(crate) fn floats<'a>(name: &str, a: &'a F64In<'_>) -> Result<&'a [f64], Failure> {
    a.as_slice()
        .map_err(|_| Failure::param(name, "expected a contiguous 1-D float64 array"))
}

fn fit_params(max_iter: usize, tolerance: f64, penalizer: f64) -> FitParams {
    FitParams {
        max_iter,
        tolerance,
        penalizer,
    }
}

/// The fitted state returned to Python: (params, log_likelihood, standard_errors, iterations).
type FitOut = (Vec<f64>, f64, Vec<f64>, usize);

fn fit_out(
    params: Vec<f64>,
    info: Option<&edupulse::core::churn::FitInfo>,
) -> Result<FitOut, Failure> {
    let info = info.ok_or_else(|| Failure::Internal("fit without fit information".into()))?;
    Ok((
        params,
        info.log_likelihood,
        info.standard_errors.clone(),
        info.iterations,
    ))
}

/// Fit `model` ("bgnbd" or "pnbd") to frequency/recency/T (float64 bytes).
#[pyfunction]
#[pyo3(signature = (model, frequency, recency, t, max_iter=1000, tolerance=1e-9, penalizer=0.0))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn churn_fit_btyd(
    py: Python<'_>,
    model: &str,
    frequency: F64In<'_>,
    recency: F64In<'_>,
    t: F64In<'_>,
    max_iter: usize,
    tolerance: f64,
    penalizer: f64,
) -> PyResult<FitOut> {
    guard(|| {
        let (x, tx, tt) = (
            floats("frequency", &frequency)?,
            floats("recency", &recency)?,
            floats("T", &t)?,
        );
        let fp = fit_params(max_iter, tolerance, penalizer);
        let model = model.to_string();
        py.detach(move || -> Result<FitOut, Failure> {
            match model.as_str() {
                "bgnbd" => {
                    let m = BetaGeo::fit(x, tx, tt, &fp)?;
                    fit_out(m.params().to_vec(), m.fit.as_ref())
                }
                "pnbd" => {
                    let m = ParetoNbd::fit(x, tx, tt, &fp)?;
                    fit_out(m.params().to_vec(), m.fit.as_ref())
                }
                other => Err(Failure::param("model", format!("unknown model `{other}`"))),
            }
        })
    })
}

fn transaction_model(model: &str, p: &[f64]) -> Result<Box<dyn TransactionModelExt>, Failure> {
    if p.len() != 4 {
        return Err(Failure::param("params", "need 4 parameters"));
    }
    Ok(match model {
        "bgnbd" => Box::new(BetaGeo::new(p[0], p[1], p[2], p[3])?),
        "pnbd" => Box::new(ParetoNbd::new(p[0], p[1], p[2], p[3])?),
        other => return Err(Failure::param("model", format!("unknown model `{other}`"))),
    })
}

/// P(alive) and the transaction model, behind one object.
trait TransactionModelExt: TransactionModel + Send {
    fn alive(&self, x: &[f64], tx: &[f64], t: &[f64]) -> edupulse::core::Result<Vec<f64>>;
    fn as_tm(&self) -> &dyn TransactionModel;
}
impl TransactionModelExt for BetaGeo {
    fn alive(&self, x: &[f64], tx: &[f64], t: &[f64]) -> edupulse::core::Result<Vec<f64>> {
        self.probability_alive_many(x, tx, t)
    }
    fn as_tm(&self) -> &dyn TransactionModel {
        self
    }
}
impl TransactionModelExt for ParetoNbd {
    fn alive(&self, x: &[f64], tx: &[f64], t: &[f64]) -> edupulse::core::Result<Vec<f64>> {
        self.probability_alive_many(x, tx, t)
    }
    fn as_tm(&self) -> &dyn TransactionModel {
        self
    }
}

/// Per-customer predictions of a fitted BG/NBD or Pareto/NBD: `what` is "alive" or "expected"
/// (expected purchases in the next `horizon` periods).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub(crate) fn churn_predict_btyd<'py>(
    py: Python<'py>,
    model: &str,
    params: Vec<f64>,
    what: &str,
    horizon: f64,
    frequency: F64In<'_>,
    recency: F64In<'_>,
    t: F64In<'_>,
) -> PyResult<F64Out<'py>> {
    let v = guard(|| {
        let m = transaction_model(model, &params)?;
        let (x, tx, tt) = (
            floats("frequency", &frequency)?,
            floats("recency", &recency)?,
            floats("T", &t)?,
        );
        let what = what.to_string();
        py.detach(move || -> Result<Vec<f64>, Failure> {
            match what.as_str() {
                "alive" => Ok(m.alive(x, tx, tt)?),
                "expected" => {
                    let n = x.len();
                    if tx.len() != n || tt.len() != n {
                        return Err(Failure::param(
                            "recency",
                            "frequency, recency and T differ in length",
                        ));
                    }
                    (0..n)
                        .map(|i| {
                            edupulse::core::churn::btyd::check_customer(i, x[i], tx[i], tt[i])?;
                            Ok(m.as_tm().expected_purchases(horizon, x[i], tx[i], tt[i])?)
                        })
                        .collect()
                }
                other => Err(Failure::param(
                    "what",
                    format!("unknown prediction `{other}`"),
                )),
            }
        })
    })?;
    Ok(PyArray1::from_vec(py, v))
}

/// Fit Gamma-Gamma to repeat customers' frequency and average spend.
#[pyfunction]
#[pyo3(signature = (frequency, monetary_value, max_iter=1000, tolerance=1e-9, penalizer=0.0))]
pub(crate) fn churn_fit_gamma_gamma(
    py: Python<'_>,
    frequency: F64In<'_>,
    monetary_value: F64In<'_>,
    max_iter: usize,
    tolerance: f64,
    penalizer: f64,
) -> PyResult<FitOut> {
    guard(|| {
        let (x, m) = (
            floats("frequency", &frequency)?,
            floats("monetary_value", &monetary_value)?,
        );
        let fp = fit_params(max_iter, tolerance, penalizer);
        py.detach(move || -> Result<FitOut, Failure> {
            let g = GammaGamma::fit(x, m, &fp)?;
            fit_out(g.params().to_vec(), g.fit.as_ref())
        })
    })
}

/// Gamma-Gamma conditional expected average spend.
#[pyfunction]
pub(crate) fn churn_gamma_gamma_spend<'py>(
    py: Python<'py>,
    params: Vec<f64>,
    frequency: F64In<'py>,
    monetary_value: F64In<'py>,
) -> PyResult<F64Out<'py>> {
    let v = guard(|| {
        if params.len() != 3 {
            return Err(Failure::param("params", "need 3 parameters"));
        }
        let g = GammaGamma::new(params[0], params[1], params[2])?;
        let (x, m) = (
            floats("frequency", &frequency)?,
            floats("monetary_value", &monetary_value)?,
        );
        Ok(g.conditional_expected_average_spend_many(x, m)?)
    })?;
    Ok(PyArray1::from_vec(py, v))
}

/// Customer lifetime value (`lifetimes` conventions).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub(crate) fn churn_clv<'py>(
    py: Python<'py>,
    model: &str,
    params: Vec<f64>,
    gg_params: Vec<f64>,
    frequency: F64In<'_>,
    recency: F64In<'_>,
    t: F64In<'_>,
    monetary_value: F64In<'_>,
    months: u32,
    discount_rate: f64,
    freq: &str,
) -> PyResult<F64Out<'py>> {
    let v = guard(|| {
        let m = transaction_model(model, &params)?;
        if gg_params.len() != 3 {
            return Err(Failure::param("gg_params", "need 3 parameters"));
        }
        let g = GammaGamma::new(gg_params[0], gg_params[1], gg_params[2])?;
        let unit = TimeUnit::parse(freq)
            .ok_or_else(|| Failure::param("freq", format!("unknown unit `{freq}`")))?;
        let (x, tx, tt, mv) = (
            floats("frequency", &frequency)?,
            floats("recency", &recency)?,
            floats("T", &t)?,
            floats("monetary_value", &monetary_value)?,
        );
        py.detach(move || -> Result<Vec<f64>, Failure> {
            Ok(customer_lifetime_value(
                m.as_tm(),
                &g,
                unit,
                x,
                tx,
                tt,
                mv,
                months,
                discount_rate,
            )?)
        })
    })?;
    Ok(PyArray1::from_vec(py, v))
}

/// Transactions → (ids, frequency, recency, T, monetary_value). `at_ns`: int64 epoch nanoseconds
/// as float64 bytes are not exact, so they come as a list of ints (seconds).
#[pyfunction]
#[pyo3(signature = (customer_ids, at_seconds, amounts=None, observation_period_end=None, freq="W"))]
#[allow(clippy::type_complexity)]
pub(crate) fn churn_summary<'py>(
    py: Python<'py>,
    customer_ids: Vec<String>,
    at_seconds: Vec<i64>,
    amounts: Option<F64In<'py>>,
    observation_period_end: Option<i64>,
    freq: &str,
) -> PyResult<(
    Vec<String>,
    F64Out<'py>,
    F64Out<'py>,
    F64Out<'py>,
    F64Out<'py>,
)> {
    let rows = guard(|| {
        let unit = TimeUnit::parse(freq)
            .ok_or_else(|| Failure::param("freq", format!("unknown unit `{freq}`")))?;
        let amounts = amounts
            .as_ref()
            .map(|a| floats("monetary_value", a))
            .transpose()?;
        let to_dt = |s: i64| {
            DateTime::<Utc>::from_timestamp(s, 0)
                .ok_or_else(|| Failure::param("datetime", format!("{s} out of range")))
        };
        let at: Vec<DateTime<Utc>> = at_seconds
            .iter()
            .map(|s| to_dt(*s))
            .collect::<Result<_, _>>()?;
        let end = observation_period_end.map(to_dt).transpose()?;
        py.detach(move || -> Result<_, Failure> {
            let params = SummaryParams {
                unit,
                observation_period_end: end,
            };
            Ok(summary_from_transactions(
                &customer_ids,
                &at,
                amounts,
                &params,
            )?)
        })
    })?;
    let col = |f: &dyn Fn(&edupulse::core::churn::CustomerSummary) -> f64| {
        PyArray1::from_vec(py, rows.iter().map(f).collect::<Vec<f64>>())
    };
    Ok((
        rows.iter().map(|r| r.customer_id.clone()).collect(),
        col(&|r| r.frequency),
        col(&|r| r.recency),
        col(&|r| r.t),
        col(&|r| r.monetary_value),
    ))
}

/// A column from Python: (name, is_numeric, contiguous float64 array or list of str). The table
/// owns its columns, so numeric ones are copied once here (not through bytes).
pub(crate) fn table(
    columns: Vec<(String, bool, Bound<'_, PyAny>)>,
) -> Result<TabularData, Failure> {
    let mut t = TabularData::new();
    for (name, numeric, values) in columns {
        let col = if numeric {
            let a: F64In<'_> = values
                .extract()
                .map_err(|_| Failure::param(&name, "expected a contiguous 1-D float64 array"))?;
            ColumnData::Numeric(floats(&name, &a)?.to_vec())
        } else {
            ColumnData::Categorical(values.extract::<Vec<String>>()?)
        };
        t.push(&name, col)?;
    }
    Ok(t)
}

/// A fitted tabular classifier (the Rust value; serde JSON bytes only for pickling).
#[pyclass(frozen, module = "edupulse._edupulse")]
pub struct NativeClassifier {
    inner: TabularClassifier,
}

#[pymethods]
impl NativeClassifier {
    /// Fit `model` ("logistic", "trees" or "ensemble") on `[(name, numeric, values)]` and boolean
    /// labels. `params`: a dict of `ClassifierParams` fields (missing ones default). Ctrl-C stops
    /// the fit; `progress(ticks, done, total)` is called while it runs.
    #[staticmethod]
    #[pyo3(signature = (model, columns, y, params=None, progress=None))]
    fn fit(
        py: Python<'_>,
        model: &str,
        columns: Vec<(String, bool, Bound<'_, PyAny>)>,
        y: Vec<bool>,
        params: Option<Bound<'_, PyAny>>,
        progress: Option<Bound<'_, PyAny>>,
    ) -> PyResult<NativeClassifier> {
        guard(|| {
            let kind = ModelKind::parse(model).ok_or_else(|| {
                Failure::param(
                    "model",
                    format!("`{model}`: expected \"logistic\", \"trees\" or \"ensemble\""),
                )
            })?;
            let mut params: ClassifierParams = match params {
                Some(p) if !p.is_none() => pythonize::depythonize(&p)
                    .map_err(|e| Failure::param("params", e.to_string()))?,
                _ => ClassifierParams::default(),
            };
            params.model = kind;
            let data = table(columns)?;
            let inner = crate::watch::watched(py, progress.as_ref(), move || {
                Ok(TabularClassifier::fit(&data, &y, &params)?)
            })?;
            Ok(NativeClassifier { inner })
        })
    }

    /// Restore from [`NativeClassifier::state`] bytes.
    #[staticmethod]
    fn from_state(state: &[u8]) -> PyResult<NativeClassifier> {
        guard(|| {
            let inner = serde_json::from_slice(state)
                .map_err(|e| Failure::param("state", format!("not a classifier state: {e}")))?;
            Ok(NativeClassifier { inner })
        })
    }

    /// The fitted model as serde JSON bytes.
    fn state<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let v = guard(|| {
            serde_json::to_vec(&self.inner).map_err(|e| Failure::Internal(e.to_string()))
        })?;
        Ok(PyBytes::new(py, &v))
    }

    /// Calibrated P(class 1) per row, computed with the GIL released.
    fn predict_proba<'py>(
        &self,
        py: Python<'py>,
        columns: Vec<(String, bool, Bound<'py, PyAny>)>,
    ) -> PyResult<F64Out<'py>> {
        let v = guard(|| {
            let data = table(columns)?;
            Ok(py.detach(|| self.inner.predict_proba(&data))?)
        })?;
        Ok(PyArray1::from_vec(py, v))
    }

    /// Per-row top factors: list of lists of (column, value, contribution).
    #[allow(clippy::type_complexity)]
    fn explain(
        &self,
        py: Python<'_>,
        columns: Vec<(String, bool, Bound<'_, PyAny>)>,
        top: usize,
    ) -> PyResult<Vec<Vec<(String, String, f64)>>> {
        guard(|| {
            let data = table(columns)?;
            let rows = py.detach(|| self.inner.explain(&data, top))?;
            Ok(rows
                .into_iter()
                .map(|r| {
                    r.into_iter()
                        .map(|f| (f.column, f.value, f.contribution))
                        .collect()
                })
                .collect())
        })
    }

    /// The encoded column kinds the classifier expects: (name, is_numeric).
    fn columns(&self) -> Vec<(String, bool)> {
        self.inner
            .encoder
            .columns
            .iter()
            .zip(&self.inner.encoder.encodings)
            .map(|(c, e)| {
                (
                    c.clone(),
                    matches!(e, edupulse::core::learn::ColumnEncoding::Numeric { .. }),
                )
            })
            .collect()
    }
}
