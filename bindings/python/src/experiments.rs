//! Bindings of `edupulse.experiments`: one comparison from counts or sums, and the analysis of
//! `experiments` / `exposures` joined to the conversion tables. Thin: convert, call, map errors.

use crate::convert::{extract_tables, parse_tables};
use crate::errors::{guard, Failure};
use chrono::DateTime;
use edupulse::core::experiments::{
    analyze, mean_test, proportion_test, rows_of, AnalysisParams, MeanStats, Proportion, TestParams,
};
use pyo3::prelude::*;

fn to_py<'py, T: serde::Serialize>(py: Python<'py>, v: &T) -> Result<Bound<'py, PyAny>, Failure> {
    pythonize::pythonize(py, v)
        .map_err(|e| Failure::Internal(format!("cannot convert a result: {e}")))
}

/// One test: `kind` is `proportion` (`control`/`treatment` = [units, conversions]) or `mean`
/// ([n, sum, sum_squares]); `params` a dict of `TestParams` fields. Returns the `TestResult`
/// as a dict.
#[pyfunction]
#[pyo3(signature = (kind, control, treatment, params=None))]
pub(crate) fn experiments_test<'py>(
    py: Python<'py>,
    kind: &str,
    control: Vec<f64>,
    treatment: Vec<f64>,
    params: Option<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    guard(|| {
        let params: TestParams = crate::demand::py_param("params", params.as_ref())?;
        let r = match (kind, control.as_slice(), treatment.as_slice()) {
            ("proportion", &[cu, cc], &[tu, tc]) => proportion_test(
                Proportion {
                    units: cu,
                    conversions: cc,
                },
                Proportion {
                    units: tu,
                    conversions: tc,
                },
                &params,
            )?,
            ("mean", &[cn, cs, css], &[tn, ts, tss]) => mean_test(
                MeanStats {
                    n: cn,
                    sum: cs,
                    sum_squares: css,
                },
                MeanStats {
                    n: tn,
                    sum: ts,
                    sum_squares: tss,
                },
                &params,
            )?,
            ("proportion", _, _) => {
                return Err(Failure::param(
                    "control",
                    "expected (units, conversions) for control and treatment",
                ))
            }
            ("mean", _, _) => {
                return Err(Failure::param(
                    "control",
                    "expected (n, sum, sum_squares) for control and treatment",
                ))
            }
            _ => return Err(Failure::param("kind", "expected `proportion` or `mean`")),
        };
        to_py(py, &r)
    })
}

/// Analyse every experiment in the native tables as of `as_of` (unix seconds; default: the
/// latest exposure). Returns `(rows, looks)` as lists of dicts (`experiment_results` and
/// `experiment_looks` rows) and the as_of used.
#[pyfunction]
#[pyo3(signature = (native, as_of=None, params=None))]
pub(crate) fn experiments_analyze<'py>(
    py: Python<'py>,
    native: &Bound<'py, PyAny>,
    as_of: Option<i64>,
    params: Option<Bound<'py, PyAny>>,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>, i64)> {
    guard(|| {
        let params: AnalysisParams = crate::demand::py_param("params", params.as_ref())?;
        let raw = extract_tables(native)?;
        let (rows, looks, t) = py.detach(move || -> Result<_, Failure> {
            let tables = parse_tables(&raw)?;
            let t = match as_of {
                Some(s) => DateTime::from_timestamp(s, 0)
                    .ok_or_else(|| Failure::param("as_of", "not a representable time"))?,
                None => tables.exposures.iter().map(|x| x.at).max().ok_or_else(|| {
                    Failure::param("as_of", "no exposures: give as_of explicitly")
                })?,
            };
            let a = analyze(&tables, t, &params)?;
            let (rows, looks) = rows_of(&a.experiments, &params);
            Ok((rows, looks, t.timestamp()))
        })?;
        Ok((to_py(py, &rows)?, to_py(py, &looks)?, t))
    })
}
