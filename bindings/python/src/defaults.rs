//! `edupulse._edupulse.defaults(name)`: Rust's default parameters as Python objects, so that the
//! Python package reads its defaults from the Rust structs instead of copying them by hand.

use crate::errors::{guard, Failure};
use edupulse::core::churn::FitParams;
use edupulse::core::demand::DemandParams;
use edupulse::core::forecast::ForecasterParams;
use edupulse::core::leads::{ModelParams, PointsParams};
use edupulse::core::learn::{ClassifierParams, RegressorParams};
use edupulse::core::repetition::fsrs::FsrsParams;
use edupulse::core::simulate::SimConfig;
use pyo3::prelude::*;
use serde::Serialize;

/// The names `defaults` knows, with the Rust struct each one is the `Default` of.
pub(crate) const NAMES: [(&str, &str); 9] = [
    (
        "btyd",
        "churn::FitParams (BG/NBD, Pareto/NBD, Gamma-Gamma fits)",
    ),
    (
        "classifier",
        "learn::ClassifierParams (the shared tabular classifier)",
    ),
    ("demand", "demand::DemandParams (DemandModel)"),
    ("forecast", "forecast::ForecasterParams (Forecaster)"),
    ("fsrs", "repetition::FsrsParams (FSRS-6 scheduling)"),
    (
        "lead_model",
        "leads::ModelParams (the learned lead model and its classifier)",
    ),
    ("lead_points", "leads::PointsParams (LeadScorer)"),
    (
        "regressor",
        "learn::RegressorParams (RandomForestRegressor, GradientBoostingRegressor)",
    ),
    ("simulate", "simulate::SimConfig (simulate())"),
];

fn to_py<'py, T: Serialize>(py: Python<'py>, value: &T) -> Result<Bound<'py, PyAny>, Failure> {
    pythonize::pythonize(py, value)
        .map_err(|e| Failure::Internal(format!("cannot convert the defaults to Python: {e}")))
}

/// Rust's default parameters `name` as Python objects (dicts, lists, numbers, str, None), as the
/// Rust struct serialises them. `name` is one of btyd, classifier, demand, forecast, fsrs, lead_model,
/// lead_points, regressor, simulate; another name raises `ParameterError`.
#[pyfunction]
pub(crate) fn defaults<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    guard(|| match name {
        "btyd" => to_py(py, &FitParams::default()),
        "classifier" => to_py(py, &ClassifierParams::default()),
        "demand" => to_py(py, &DemandParams::default()),
        "forecast" => to_py(py, &ForecasterParams::default()),
        "fsrs" => to_py(py, &FsrsParams::default()),
        "lead_model" => to_py(py, &ModelParams::default()),
        "lead_points" => to_py(py, &PointsParams::default()),
        "regressor" => to_py(py, &RegressorParams::default()),
        "simulate" => to_py(py, &SimConfig::default()),
        other => Err(Failure::param(
            "name",
            format!(
                "unknown defaults `{other}` (expected one of: {})",
                NAMES.map(|(n, _)| n).join(", ")
            ),
        )),
    })
}
