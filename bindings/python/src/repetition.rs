//! Bindings of `edupulse_core::repetition` (FSRS-6): thin conversions and error mapping only.
//! numpy arrays are read in place (no copy: float64 states, uint8 ratings, int64 log columns;
//! other integer ratings are narrowed in one pass) and the work runs with the GIL released.
//! Results leave as numpy arrays that own the Rust buffers (no copy either).

use crate::errors::{guard, Failure};
use chrono::{DateTime, Utc};
use edupulse::core::repetition::batch::{next_states_into, retrievability as batch_retrievability};
use edupulse::core::repetition::eval::{evaluate_fsrs, Dataset, EvalParams, LogReview};
use edupulse::core::repetition::optimize::{fit, OptimizerParams};
use edupulse::core::repetition::{Fsrs, FsrsParams};
use numpy::{PyArray1, PyReadonlyArray1, PyUntypedArrayMethods};
use pyo3::prelude::*;

/// A float64 array as a slice (C-contiguous arrays only; no copy).
fn f64_slice<'a>(a: &'a PyReadonlyArray1<'_, f64>, name: &str) -> Result<&'a [f64], Failure> {
    a.as_slice()
        .map_err(|_| Failure::param(name, "expected a contiguous 1-D float64 array"))
}

/// Ratings 1–4 narrowed to bytes, naming the first bad index.
fn narrow<T: Copy + Into<i128>>(v: &[T], name: &str) -> Result<Vec<u8>, Failure> {
    v.iter()
        .enumerate()
        .map(|(i, &x)| {
            let x: i128 = x.into();
            u8::try_from(x)
                .ok()
                .filter(|g| (1..=4).contains(g))
                .ok_or_else(|| Failure::param(name, format!("at index {i}: {x} is outside 1–4")))
        })
        .collect()
}

/// Ratings that are not a uint8 array (which is read in place by the caller): integer numpy
/// arrays of any width are read in place and narrowed in one pass; anything else must be a
/// sequence of integers.
fn ratings_owned(r: &Bound<'_, PyAny>, name: &str) -> Result<Vec<u8>, Failure> {
    let contiguous = || Failure::param(name, "expected a contiguous 1-D integer array");
    macro_rules! try_dtype {
        ($($t:ty),*) => {$(
            if let Ok(a) = r.extract::<PyReadonlyArray1<'_, $t>>() {
                return narrow(a.as_slice().map_err(|_| contiguous())?, name);
            }
        )*};
    }
    try_dtype!(i64, i32, i16, i8, u64, u32, u16);
    let v: Vec<i64> = r
        .extract()
        .map_err(|_| Failure::param(name, "expected a 1-D integer array of ratings 1–4"))?;
    narrow(&v, name)
}

/// Run `f` on an int64 column: numpy int64 arrays in place, other sequences after one copy.
fn with_i64<R>(
    a: &Bound<'_, PyAny>,
    name: &str,
    f: impl FnOnce(&[i64]) -> Result<R, Failure>,
) -> Result<R, Failure> {
    if let Ok(arr) = a.extract::<PyReadonlyArray1<'_, i64>>() {
        let s = arr
            .as_slice()
            .map_err(|_| Failure::param(name, "expected a contiguous 1-D int64 array"))?;
        return f(s);
    }
    let owned: Vec<i64> = a
        .extract()
        .map_err(|_| Failure::param(name, "expected a 1-D integer array"))?;
    f(&owned)
}

/// A validated FSRS-6 model (the Rust `Fsrs`), built once from its parameters; pickled by the
/// Python `FSRS` through those parameters. Batch work runs with the GIL released.
#[pyclass(frozen, module = "edupulse._edupulse")]
pub struct NativeFsrs {
    inner: Fsrs,
}

#[pymethods]
impl NativeFsrs {
    /// `params`: a dict of `FsrsParams` fields (`parameters`, `desired_retention`,
    /// `maximum_interval`, `enable_fuzz`...); missing ones default, unknown or invalid ones are a
    /// `ParameterError`.
    #[new]
    #[pyo3(signature = (params=None))]
    fn new(params: Option<Bound<'_, PyAny>>) -> PyResult<NativeFsrs> {
        guard(|| {
            let params: FsrsParams = crate::demand::py_param("params", params.as_ref())?;
            Ok(NativeFsrs {
                inner: Fsrs::new(params)?,
            })
        })
    }

    /// The parameters as a dict (the `FsrsParams` the model was built from).
    fn params<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            pythonize::pythonize(py, &self.inner)
                .map_err(|e| Failure::Internal(format!("cannot convert the parameters: {e}")))
        })
    }

    /// The history of one card from new: `(stability, difficulty, retrievability, interval)`
    /// lists, retrievability NaN for the first review.
    #[allow(clippy::type_complexity)]
    fn replay(
        &self,
        ratings: Vec<i64>,
        elapsed_days: Vec<f64>,
    ) -> PyResult<(Vec<f64>, Vec<f64>, Vec<f64>, Vec<u32>)> {
        guard(|| {
            let r: Vec<u8> = ratings
                .iter()
                .enumerate()
                .map(|(i, &x)| {
                    u8::try_from(x).map_err(|_| {
                        Failure::param("ratings", format!("at index {i}: {x} is outside 1–4"))
                    })
                })
                .collect::<Result<_, _>>()?;
            let steps = self.inner.replay(&r, &elapsed_days)?;
            Ok((
                steps.iter().map(|s| s.stability).collect(),
                steps.iter().map(|s| s.difficulty).collect(),
                steps
                    .iter()
                    .map(|s| s.retrievability.unwrap_or(f64::NAN))
                    .collect(),
                steps.iter().map(|s| s.interval).collect(),
            ))
        })
    }

    /// Next stability, difficulty and interval (days) of a batch; NaN stability marks a new
    /// card.
    #[allow(clippy::type_complexity)]
    fn next_states<'py>(
        &self,
        py: Python<'py>,
        stability: PyReadonlyArray1<'py, f64>,
        difficulty: PyReadonlyArray1<'py, f64>,
        elapsed_days: PyReadonlyArray1<'py, f64>,
        rating: &Bound<'py, PyAny>,
    ) -> PyResult<(
        Bound<'py, PyArray1<f64>>,
        Bound<'py, PyArray1<f64>>,
        Bound<'py, PyArray1<f64>>,
    )> {
        guard(|| {
            let f = &self.inner;
            // uint8 ratings are read in place; other integer arrays are narrowed once.
            let in_place = rating.extract::<PyReadonlyArray1<'py, u8>>().ok();
            let owned: Vec<u8>;
            let g: &[u8] = match &in_place {
                Some(a) => a
                    .as_slice()
                    .map_err(|_| Failure::param("rating", "expected a contiguous 1-D array"))?,
                None => {
                    owned = ratings_owned(rating, "rating")?;
                    &owned
                }
            };
            let s = f64_slice(&stability, "stability")?;
            let d = f64_slice(&difficulty, "difficulty")?;
            let t = f64_slice(&elapsed_days, "elapsed_days")?;
            let n = stability.len();
            let (os, od, oi) = py.detach(|| -> Result<_, Failure> {
                let (mut os, mut od, mut oi) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
                next_states_into(f, s, d, t, g, &mut os, &mut od, &mut oi)?;
                Ok((os, od, oi))
            })?;
            Ok((
                PyArray1::from_vec(py, os),
                PyArray1::from_vec(py, od),
                PyArray1::from_vec(py, oi),
            ))
        })
    }

    /// Retrievability of every card `elapsed_days` after its last review.
    fn retrievability<'py>(
        &self,
        py: Python<'py>,
        stability: PyReadonlyArray1<'py, f64>,
        elapsed_days: PyReadonlyArray1<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        guard(|| {
            let s = f64_slice(&stability, "stability")?;
            let t = f64_slice(&elapsed_days, "elapsed_days")?;
            let r = py.detach(|| batch_retrievability(&self.inner, s, t))?;
            Ok(PyArray1::from_vec(py, r))
        })
    }
}

/// A review log from three columns of equal length: card ids (an integer array, e.g. pandas'
/// `factorize` codes, read in place; or a sequence of strings), times in µs since the epoch (UTC)
/// and ratings (int64 arrays read in place, or sequences).
fn review_log(
    card_id: &Bound<'_, PyAny>,
    review_time_us: &Bound<'_, PyAny>,
    review_rating: &Bound<'_, PyAny>,
) -> Result<Vec<LogReview>, Failure> {
    let ids: Vec<String> = if let Ok(a) = card_id.extract::<PyReadonlyArray1<'_, i64>>() {
        a.as_slice()
            .map_err(|_| Failure::param("card_id", "expected a contiguous 1-D array"))?
            .iter()
            .map(|c| c.to_string())
            .collect()
    } else {
        card_id.extract().map_err(|_| {
            Failure::param("card_id", "expected an int64 array or a sequence of str")
        })?
    };
    with_i64(review_time_us, "review_time_us", |times| {
        with_i64(review_rating, "review_rating", |ratings| {
            build_log(ids, times, ratings)
        })
    })
}

fn build_log(
    card_id: Vec<String>,
    times: &[i64],
    ratings: &[i64],
) -> Result<Vec<LogReview>, Failure> {
    if card_id.len() != times.len() || card_id.len() != ratings.len() {
        return Err(Failure::table(
            "review_log",
            None,
            "columns of different lengths",
        ));
    }
    card_id
        .into_iter()
        .zip(times)
        .zip(ratings)
        .enumerate()
        .map(|(row, ((c, &t), &r))| {
            let bad = |col: &str, m: String| {
                Failure::Core(edupulse::core::CoreError::validation(
                    "review_log",
                    Some(row + 1),
                    Some(col),
                    m,
                ))
            };
            let review_time = DateTime::<Utc>::from_timestamp_micros(t)
                .ok_or_else(|| bad("review_time", format!("{t} µs is out of range")))?;
            let rating = u8::try_from(r)
                .ok()
                .filter(|g| (1..=4).contains(g))
                .ok_or_else(|| bad("review_rating", format!("{r} is outside 1–4")))?;
            Ok(LogReview {
                card_id: c,
                review_time,
                rating,
            })
        })
        .collect()
}

/// Fit the 21 parameters to a review log (columns as lists; times in µs since the epoch, UTC).
/// Ctrl-C stops the fit; `progress(ticks, done, total)` is called while it runs.
#[pyfunction]
#[pyo3(signature = (card_id, review_time_us, review_rating, progress=None))]
pub(crate) fn fsrs_optimize(
    py: Python<'_>,
    card_id: &Bound<'_, PyAny>,
    review_time_us: &Bound<'_, PyAny>,
    review_rating: &Bound<'_, PyAny>,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<Vec<f64>> {
    guard(|| {
        let log = review_log(card_id, review_time_us, review_rating)?;
        let fitted = crate::watch::watched(py, progress.as_ref(), || {
            Ok(fit(&log, &OptimizerParams::default())?)
        })?;
        Ok(fitted.parameters)
    })
}

/// Score parameters on a review log (srs-benchmark metrics over the test folds of a 5-fold
/// time-series split): `(log_loss, rmse_bins, auc, n)`.
#[pyfunction]
#[pyo3(signature = (card_id, review_time_us, review_rating, parameters=None, progress=None))]
pub(crate) fn fsrs_evaluate(
    py: Python<'_>,
    card_id: &Bound<'_, PyAny>,
    review_time_us: &Bound<'_, PyAny>,
    review_rating: &Bound<'_, PyAny>,
    parameters: Option<Vec<f64>>,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<(f64, f64, f64, usize)> {
    guard(|| {
        let log = review_log(card_id, review_time_us, review_rating)?;
        let m = crate::watch::watched(py, progress.as_ref(), || -> Result<_, Failure> {
            let p = EvalParams::default();
            let ds = Dataset::new(&log, &p)?;
            Ok(evaluate_fsrs(&ds, parameters.as_deref(), p.n_splits)?)
        })?;
        Ok((m.log_loss, m.rmse_bins, m.auc, m.n))
    })
}
