//! Bindings of `edupulse_core::repetition` (FSRS-6): thin conversions and error mapping only.
//! numpy float64 arrays are read in place (no copy) and the work runs with the GIL released.

use crate::errors::{guard, Failure};
use chrono::{DateTime, Utc};
use edupulse::core::repetition::batch::{next_states_into, retrievability as batch_retrievability};
use edupulse::core::repetition::eval::{evaluate_fsrs, Dataset, EvalParams, LogReview};
use edupulse::core::repetition::optimize::{fit, OptimizerParams};
use edupulse::core::repetition::{Fsrs, FsrsParams, DEFAULT_PARAMETERS};
use numpy::{PyArray1, PyReadonlyArray1, PyUntypedArrayMethods};
use pyo3::prelude::*;

fn model(
    parameters: Option<Vec<f64>>,
    desired_retention: f64,
    maximum_interval: u32,
) -> Result<Fsrs, Failure> {
    Ok(Fsrs::new(FsrsParams {
        parameters: parameters.unwrap_or_else(|| DEFAULT_PARAMETERS.to_vec()),
        desired_retention,
        maximum_interval,
        ..FsrsParams::default()
    })?)
}

/// A float64 array as a slice (C-contiguous arrays only; no copy).
fn f64_slice<'a>(a: &'a PyReadonlyArray1<'_, f64>, name: &str) -> Result<&'a [f64], Failure> {
    a.as_slice()
        .map_err(|_| Failure::param(name, "expected a contiguous 1-D float64 array"))
}

/// Ratings as bytes: a uint8 array is read in place; other integer arrays are checked and narrowed.
fn ratings(r: &Bound<'_, PyAny>) -> Result<Vec<u8>, Failure> {
    if let Ok(a) = r.extract::<PyReadonlyArray1<'_, u8>>() {
        return Ok(a
            .as_slice()
            .map_err(|_| Failure::param("rating", "expected a contiguous 1-D array"))?
            .to_vec());
    }
    let v: Vec<i64> = r
        .extract()
        .map_err(|_| Failure::param("rating", "expected a 1-D integer array of ratings 1–4"))?;
    v.into_iter()
        .enumerate()
        .map(|(i, x)| {
            u8::try_from(x)
                .ok()
                .filter(|g| (1..=4).contains(g))
                .ok_or_else(|| {
                    Failure::param("rating", format!("at index {i}: {x} is outside 1–4"))
                })
        })
        .collect()
}

/// The history of one card from new: `(stability, difficulty, retrievability, interval)` lists,
/// retrievability NaN for the first review.
#[pyfunction]
#[pyo3(signature = (parameters, desired_retention, maximum_interval, ratings, elapsed_days))]
#[allow(clippy::type_complexity)]
pub(crate) fn fsrs_replay(
    parameters: Option<Vec<f64>>,
    desired_retention: f64,
    maximum_interval: u32,
    ratings: Vec<i64>,
    elapsed_days: Vec<f64>,
) -> PyResult<(Vec<f64>, Vec<f64>, Vec<f64>, Vec<u32>)> {
    guard(|| {
        let f = model(parameters, desired_retention, maximum_interval)?;
        let r: Vec<u8> = ratings
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                u8::try_from(x).map_err(|_| {
                    Failure::param("ratings", format!("at index {i}: {x} is outside 1–4"))
                })
            })
            .collect::<Result<_, _>>()?;
        let steps = f.replay(&r, &elapsed_days)?;
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

/// Next stability, difficulty and interval (days) of a batch; NaN stability marks a new card.
#[pyfunction]
#[pyo3(signature = (parameters, desired_retention, maximum_interval, stability, difficulty, elapsed_days, rating))]
#[allow(clippy::type_complexity, clippy::too_many_arguments)]
pub(crate) fn fsrs_next_states<'py>(
    py: Python<'py>,
    parameters: Option<Vec<f64>>,
    desired_retention: f64,
    maximum_interval: u32,
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
        let f = model(parameters, desired_retention, maximum_interval)?;
        let g = ratings(rating)?;
        let s = f64_slice(&stability, "stability")?;
        let d = f64_slice(&difficulty, "difficulty")?;
        let t = f64_slice(&elapsed_days, "elapsed_days")?;
        let n = stability.len();
        let (os, od, oi) = py.detach(|| -> Result<_, Failure> {
            let (mut os, mut od, mut oi) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
            next_states_into(&f, s, d, t, &g, &mut os, &mut od, &mut oi)?;
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
#[pyfunction]
#[pyo3(signature = (parameters, stability, elapsed_days))]
pub(crate) fn fsrs_retrievability<'py>(
    py: Python<'py>,
    parameters: Option<Vec<f64>>,
    stability: PyReadonlyArray1<'py, f64>,
    elapsed_days: PyReadonlyArray1<'py, f64>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    guard(|| {
        let f = model(parameters, 0.9, 36500)?;
        let s = f64_slice(&stability, "stability")?;
        let t = f64_slice(&elapsed_days, "elapsed_days")?;
        let r = py.detach(|| batch_retrievability(&f, s, t))?;
        Ok(PyArray1::from_vec(py, r))
    })
}

fn review_log(
    card_id: Vec<String>,
    review_time_us: Vec<i64>,
    review_rating: Vec<i64>,
) -> Result<Vec<LogReview>, Failure> {
    if card_id.len() != review_time_us.len() || card_id.len() != review_rating.len() {
        return Err(Failure::table(
            "review_log",
            None,
            "columns of different lengths",
        ));
    }
    card_id
        .into_iter()
        .zip(review_time_us)
        .zip(review_rating)
        .enumerate()
        .map(|(row, ((c, t), r))| {
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
#[pyfunction]
pub(crate) fn fsrs_optimize(
    py: Python<'_>,
    card_id: Vec<String>,
    review_time_us: Vec<i64>,
    review_rating: Vec<i64>,
) -> PyResult<Vec<f64>> {
    guard(|| {
        let log = review_log(card_id, review_time_us, review_rating)?;
        let fitted = py.detach(|| fit(&log, &OptimizerParams::default()))?;
        Ok(fitted.parameters)
    })
}

/// Score parameters on a review log (srs-benchmark metrics over the test folds of a 5-fold
/// time-series split): `(log_loss, rmse_bins, auc, n)`.
#[pyfunction]
#[pyo3(signature = (card_id, review_time_us, review_rating, parameters=None))]
pub(crate) fn fsrs_evaluate(
    py: Python<'_>,
    card_id: Vec<String>,
    review_time_us: Vec<i64>,
    review_rating: Vec<i64>,
    parameters: Option<Vec<f64>>,
) -> PyResult<(f64, f64, f64, usize)> {
    guard(|| {
        let log = review_log(card_id, review_time_us, review_rating)?;
        let m = py.detach(|| -> Result<_, Failure> {
            let p = EvalParams::default();
            let ds = Dataset::new(&log, &p)?;
            Ok(evaluate_fsrs(&ds, parameters.as_deref(), p.n_splits)?)
        })?;
        Ok((m.log_loss, m.rmse_bins, m.auc, m.n))
    })
}
