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

/// The fit information, None for a model built from given parameters.
fn fit_out(params: Vec<f64>, info: Option<&edupulse::core::churn::FitInfo>) -> Option<FitOut> {
    info.map(|info| {
        (
            params,
            info.log_likelihood,
            info.standard_errors.clone(),
            info.iterations,
        )
    })
}

/// serde JSON bytes of a fitted model (its pickle state).
fn state_bytes<'py, T: serde::Serialize>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyBytes>> {
    let v = guard(|| serde_json::to_vec(value).map_err(|e| Failure::Internal(e.to_string())))?;
    Ok(PyBytes::new(py, &v))
}

/// A fitted BG/NBD or Pareto/NBD model.
#[derive(serde::Serialize, serde::Deserialize)]
enum Transaction {
    BetaGeo(BetaGeo),
    ParetoNbd(ParetoNbd),
}

impl Transaction {
    fn as_tm(&self) -> &dyn TransactionModel {
        match self {
            Transaction::BetaGeo(m) => m,
            Transaction::ParetoNbd(m) => m,
        }
    }
}

/// A fitted BG/NBD (`"bgnbd"`) or Pareto/NBD (`"pnbd"`) model: the Rust value, pickled through
/// its serde state; predictions run with the GIL released.
#[pyclass(frozen, module = "edupulse._edupulse")]
pub struct NativeTransactionModel {
    inner: Transaction,
}

#[pymethods]
impl NativeTransactionModel {
    /// Maximum likelihood of `model` ("bgnbd" or "pnbd") on frequency / recency / T.
    #[staticmethod]
    #[pyo3(signature = (model, frequency, recency, t, max_iter, tolerance, penalizer))]
    #[allow(clippy::too_many_arguments)]
    fn fit(
        py: Python<'_>,
        model: &str,
        frequency: F64In<'_>,
        recency: F64In<'_>,
        t: F64In<'_>,
        max_iter: usize,
        tolerance: f64,
        penalizer: f64,
    ) -> PyResult<NativeTransactionModel> {
        guard(|| {
            let (x, tx, tt) = (
                floats("frequency", &frequency)?,
                floats("recency", &recency)?,
                floats("T", &t)?,
            );
            let fp = fit_params(max_iter, tolerance, penalizer);
            let model = model.to_string();
            let inner = py.detach(move || -> Result<Transaction, Failure> {
                match model.as_str() {
                    "bgnbd" => Ok(Transaction::BetaGeo(BetaGeo::fit(x, tx, tt, &fp)?)),
                    "pnbd" => Ok(Transaction::ParetoNbd(ParetoNbd::fit(x, tx, tt, &fp)?)),
                    other => Err(Failure::param(
                        "model",
                        format!("unknown model `{other}` (expected \"bgnbd\" or \"pnbd\")"),
                    )),
                }
            })?;
            Ok(NativeTransactionModel { inner })
        })
    }

    /// Restore from [`NativeTransactionModel::state`] bytes.
    #[staticmethod]
    fn from_state(state: &[u8]) -> PyResult<NativeTransactionModel> {
        guard(|| {
            let inner = serde_json::from_slice(state).map_err(|e| {
                Failure::param("state", format!("not a transaction-model state: {e}"))
            })?;
            Ok(NativeTransactionModel { inner })
        })
    }

    /// The fitted model as serde JSON bytes.
    fn state<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        state_bytes(py, &self.inner)
    }

    /// A model with given parameters (r, alpha, a, b for "bgnbd"; r, alpha, s, beta for
    /// "pnbd"), e.g. published ones; it has no fit information.
    #[staticmethod]
    fn from_params(model: &str, params: Vec<f64>) -> PyResult<NativeTransactionModel> {
        guard(|| {
            let [a, b, c, d] = <[f64; 4]>::try_from(params.as_slice())
                .map_err(|_| Failure::param("params", "need 4 parameters"))?;
            let inner = match model {
                "bgnbd" => Transaction::BetaGeo(BetaGeo::new(a, b, c, d)?),
                "pnbd" => Transaction::ParetoNbd(ParetoNbd::new(a, b, c, d)?),
                other => {
                    return Err(Failure::param(
                        "model",
                        format!("unknown model `{other}` (expected \"bgnbd\" or \"pnbd\")"),
                    ))
                }
            };
            Ok(NativeTransactionModel { inner })
        })
    }

    /// The parameters, in the model's order.
    fn params(&self) -> Vec<f64> {
        match &self.inner {
            Transaction::BetaGeo(m) => m.params().to_vec(),
            Transaction::ParetoNbd(m) => m.params().to_vec(),
        }
    }

    /// (params, log_likelihood, standard_errors, iterations) of the fit; None for a model built
    /// from given parameters.
    fn fit_info(&self) -> Option<FitOut> {
        match &self.inner {
            Transaction::BetaGeo(m) => fit_out(m.params().to_vec(), m.fit.as_ref()),
            Transaction::ParetoNbd(m) => fit_out(m.params().to_vec(), m.fit.as_ref()),
        }
    }

    /// P(alive) of each customer.
    fn probability_alive<'py>(
        &self,
        py: Python<'py>,
        frequency: F64In<'py>,
        recency: F64In<'py>,
        t: F64In<'py>,
    ) -> PyResult<F64Out<'py>> {
        let v = guard(|| {
            let (x, tx, tt) = (
                floats("frequency", &frequency)?,
                floats("recency", &recency)?,
                floats("T", &t)?,
            );
            py.detach(|| -> Result<Vec<f64>, Failure> {
                Ok(match &self.inner {
                    Transaction::BetaGeo(m) => m.probability_alive_many(x, tx, tt)?,
                    Transaction::ParetoNbd(m) => m.probability_alive_many(x, tx, tt)?,
                })
            })
        })?;
        Ok(PyArray1::from_vec(py, v))
    }

    /// Expected repeat purchases of each customer in the next `horizon` periods.
    fn expected_purchases<'py>(
        &self,
        py: Python<'py>,
        horizon: f64,
        frequency: F64In<'py>,
        recency: F64In<'py>,
        t: F64In<'py>,
    ) -> PyResult<F64Out<'py>> {
        let v = guard(|| {
            let (x, tx, tt) = (
                floats("frequency", &frequency)?,
                floats("recency", &recency)?,
                floats("T", &t)?,
            );
            let n = x.len();
            if tx.len() != n || tt.len() != n {
                return Err(Failure::param(
                    "recency",
                    "frequency, recency and T differ in length",
                ));
            }
            let inner = &self.inner;
            py.detach(|| -> Result<Vec<f64>, Failure> {
                let m = inner.as_tm();
                (0..n)
                    .map(|i| {
                        edupulse::core::churn::btyd::check_customer(i, x[i], tx[i], tt[i])?;
                        Ok(m.expected_purchases(horizon, x[i], tx[i], tt[i])?)
                    })
                    .collect()
            })
        })?;
        Ok(PyArray1::from_vec(py, v))
    }
}

/// A fitted Gamma-Gamma spend model: the Rust value, pickled through its serde state.
#[pyclass(frozen, module = "edupulse._edupulse")]
pub struct NativeGammaGamma {
    inner: GammaGamma,
}

#[pymethods]
impl NativeGammaGamma {
    /// Maximum likelihood on repeat customers' frequency and average spend.
    #[staticmethod]
    fn fit(
        py: Python<'_>,
        frequency: F64In<'_>,
        monetary_value: F64In<'_>,
        max_iter: usize,
        tolerance: f64,
        penalizer: f64,
    ) -> PyResult<NativeGammaGamma> {
        guard(|| {
            let (x, m) = (
                floats("frequency", &frequency)?,
                floats("monetary_value", &monetary_value)?,
            );
            let fp = fit_params(max_iter, tolerance, penalizer);
            let inner = py.detach(move || GammaGamma::fit(x, m, &fp))?;
            Ok(NativeGammaGamma { inner })
        })
    }

    /// Restore from [`NativeGammaGamma::state`] bytes.
    #[staticmethod]
    fn from_state(state: &[u8]) -> PyResult<NativeGammaGamma> {
        guard(|| {
            let inner = serde_json::from_slice(state)
                .map_err(|e| Failure::param("state", format!("not a Gamma-Gamma state: {e}")))?;
            Ok(NativeGammaGamma { inner })
        })
    }

    /// The fitted model as serde JSON bytes.
    fn state<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        state_bytes(py, &self.inner)
    }

    /// A model with given parameters (p, q, v), e.g. published ones; it has no fit information.
    #[staticmethod]
    fn from_params(params: Vec<f64>) -> PyResult<NativeGammaGamma> {
        guard(|| {
            let [p, q, v] = <[f64; 3]>::try_from(params.as_slice())
                .map_err(|_| Failure::param("params", "need 3 parameters"))?;
            Ok(NativeGammaGamma {
                inner: GammaGamma::new(p, q, v)?,
            })
        })
    }

    /// The parameters (p, q, v).
    fn params(&self) -> Vec<f64> {
        self.inner.params().to_vec()
    }

    /// (params, log_likelihood, standard_errors, iterations) of the fit; None for a model built
    /// from given parameters.
    fn fit_info(&self) -> Option<FitOut> {
        fit_out(self.inner.params().to_vec(), self.inner.fit.as_ref())
    }

    /// Conditional expected average spend of each customer.
    fn spend<'py>(
        &self,
        py: Python<'py>,
        frequency: F64In<'py>,
        monetary_value: F64In<'py>,
    ) -> PyResult<F64Out<'py>> {
        let v = guard(|| {
            let (x, m) = (
                floats("frequency", &frequency)?,
                floats("monetary_value", &monetary_value)?,
            );
            Ok(py.detach(|| self.inner.conditional_expected_average_spend_many(x, m))?)
        })?;
        Ok(PyArray1::from_vec(py, v))
    }

    /// Customer lifetime value with `transactions` (`lifetimes` conventions).
    #[allow(clippy::too_many_arguments)]
    fn clv<'py>(
        &self,
        py: Python<'py>,
        transactions: &NativeTransactionModel,
        frequency: F64In<'py>,
        recency: F64In<'py>,
        t: F64In<'py>,
        monetary_value: F64In<'py>,
        months: u32,
        discount_rate: f64,
        freq: &str,
    ) -> PyResult<F64Out<'py>> {
        let v = guard(|| {
            let unit = TimeUnit::parse(freq)
                .ok_or_else(|| Failure::param("freq", format!("unknown unit `{freq}`")))?;
            let (x, tx, tt, mv) = (
                floats("frequency", &frequency)?,
                floats("recency", &recency)?,
                floats("T", &t)?,
                floats("monetary_value", &monetary_value)?,
            );
            let tm = &transactions.inner;
            let g = &self.inner;
            py.detach(|| -> Result<Vec<f64>, Failure> {
                Ok(customer_lifetime_value(
                    tm.as_tm(),
                    g,
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
                ..SummaryParams::default()
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
                    format!(
                        "`{model}`: expected \"logistic\", \"trees\", \"ensemble\" or \"auto\""
                    ),
                )
            })?;
            // A mistyped or unknown field is a ParameterError naming that field.
            let mut params: ClassifierParams = crate::demand::py_param("params", params.as_ref())?;
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
