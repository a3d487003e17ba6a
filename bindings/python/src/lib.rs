//! # edupulse-python
//!
//! The native module `edupulse._edupulse` under the Python package `edupulse`
//! (bindings/python/python/edupulse), which only converts DataFrames to and from the column lists
//! this module speaks.
//!
//! Every entry point
//! - catches panics ([`std::panic::catch_unwind`]) and raises `edupulse.InternalError`: no panic
//!   reaches Python;
//! - maps every Rust error onto a subclass of `edupulse.EdupulseError` (module `errors`);
//! - releases the GIL around long work (simulation, parsing and validation, store calls), which
//!   runs on the module's tokio runtime (module `runtime`).
#![warn(missing_docs)]

mod arrow_text;
mod certify;
mod churn;
mod community;
mod content;
mod convert;
mod defaults;
mod demand;
mod errors;
mod experiments;
mod feedback;
mod forecast;
mod io;
mod kpi;
mod leads;
mod repetition;
mod runtime;
mod store;
mod trends;
mod watch;

pub use store::NativeStore;

use convert::{
    collect_columns, extract_tables, kind_name, parse_tables, table_named, tables_to_py,
};
use edupulse::core::model::Table;
use edupulse::core::simulate::{simulate as run_simulation, SimConfig};
use errors::{guard, Failure};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use std::collections::BTreeMap;

/// Simulate a business: `config` overrides fields of the simulator's defaults
/// (`students`, `seed`, ...). Returns `{table: {column: list}}` for every table.
#[pyfunction]
fn simulate<'py>(py: Python<'py>, config: &Bound<'py, PyDict>) -> PyResult<Bound<'py, PyDict>> {
    guard(|| {
        let overrides = config
            .iter()
            .map(|(k, v)| {
                let key: String = k
                    .extract()
                    .map_err(|_| Failure::param("config", "option names must be str"))?;
                let value = to_json(&key, &v)?;
                Ok((key, value))
            })
            .collect::<Result<Vec<_>, Failure>>()?;
        let columns = py.detach(move || -> Result<_, Failure> {
            let cfg = sim_config(overrides)?;
            let tables = run_simulation(&cfg)?;
            Ok(Table::ALL
                .iter()
                .map(|t| (*t, collect_columns(*t, &tables)))
                .collect::<Vec<_>>())
        })?;
        Ok(tables_to_py(py, columns)?)
    })
}

/// Build a simulator config from its defaults and the caller's overrides, naming the option
/// at fault when one is unknown or has the wrong type.
fn sim_config(overrides: Vec<(String, serde_json::Value)>) -> Result<SimConfig, Failure> {
    let mut config = serde_json::to_value(SimConfig::default())
        .map_err(|e| Failure::Internal(format!("cannot serialise the default config: {e}")))?;
    let Some(fields) = config.as_object_mut() else {
        return Err(Failure::Internal(
            "the simulator config is not a JSON object".to_string(),
        ));
    };
    let known: Vec<String> = fields.keys().cloned().collect();
    for (key, value) in overrides {
        if !fields.contains_key(&key) {
            return Err(Failure::param(
                &key,
                format!("unknown simulate() option (expected: {})", known.join(", ")),
            ));
        }
        fields.insert(key.clone(), value);
        // Check after each override, so a type error names its option.
        serde_json::from_value::<SimConfig>(serde_json::Value::Object(fields.clone()))
            .map_err(|e| Failure::param(&key, e.to_string()))?;
    }
    serde_json::from_value(config).map_err(|e| Failure::param("config", e.to_string()))
}

/// A Python option value as JSON: None, bool, int, float, str, list/tuple, dict, or anything
/// with `isoformat()` (dates become ISO strings).
fn to_json(name: &str, v: &Bound<'_, PyAny>) -> Result<serde_json::Value, Failure> {
    use serde_json::Value as J;
    if v.is_none() {
        return Ok(J::Null);
    }
    if let Ok(b) = v.cast::<PyBool>() {
        return Ok(J::Bool(b.is_true()));
    }
    if v.cast::<PyInt>().is_ok() {
        if let Ok(i) = v.extract::<i64>() {
            return Ok(J::from(i));
        }
        if let Ok(u) = v.extract::<u64>() {
            return Ok(J::from(u));
        }
        return Err(Failure::param(name, "integer out of range"));
    }
    if let Ok(x) = v.cast::<PyFloat>() {
        return serde_json::Number::from_f64(x.value())
            .map(J::Number)
            .ok_or_else(|| Failure::param(name, "expected a finite number"));
    }
    if let Ok(s) = v.cast::<PyString>() {
        return Ok(J::String(s.to_cow()?.into_owned()));
    }
    if let Ok(d) = v.cast::<PyDict>() {
        let mut m = serde_json::Map::new();
        for (k, item) in d.iter() {
            let k: String = k
                .extract()
                .map_err(|_| Failure::param(name, "dict keys must be str"))?;
            m.insert(k, to_json(name, &item)?);
        }
        return Ok(J::Object(m));
    }
    if v.cast::<PyList>().is_ok() || v.cast::<PyTuple>().is_ok() {
        let items = v
            .try_iter()?
            .map(|item| to_json(name, &item?))
            .collect::<Result<Vec<_>, Failure>>()?;
        return Ok(J::Array(items));
    }
    // numpy scalars (np.int64, np.float32, np.bool_...): their Python value.
    if v.hasattr("dtype")? && v.hasattr("item")? {
        let item = v.call_method0("item")?;
        if !item.is(v) {
            return to_json(name, &item);
        }
    }
    if v.hasattr("isoformat")? {
        let s: String = v.call_method0("isoformat")?.str()?.to_cow()?.into_owned();
        return Ok(J::String(s));
    }
    Err(Failure::param(
        name,
        format!(
            "unsupported value of type {}",
            v.get_type()
                .name()
                .map_or_else(|_| "?".to_string(), |n| n.to_string())
        ),
    ))
}

/// Parse and validate `{table: {column: list}}` as the store would (every row checked, identical
/// duplicates collapsed, conflicting duplicates rejected). Returns the row count per table given.
#[pyfunction]
fn validate(py: Python<'_>, tables: &Bound<'_, PyAny>) -> PyResult<BTreeMap<String, usize>> {
    guard(|| {
        let raw = extract_tables(tables)?;
        let given: Vec<Table> = raw.iter().map(|r| r.table).collect();
        let counts = py.detach(move || -> Result<_, Failure> {
            let mut batch = parse_tables(&raw)?;
            batch.validate()?;
            Ok(batch.counts())
        })?;
        Ok(given
            .iter()
            .map(|t| {
                let n = counts.get(t.name()).copied().unwrap_or(0);
                (t.name().to_string(), n)
            })
            .collect())
    })
}

/// Validate `{table: {column: list}}` and write it as `<table>.csv` files into `dir` (created if
/// needed), in the format `ingest_dir` and the CLI read. Returns the rows written per table.
#[pyfunction]
fn write_csv_dir(
    py: Python<'_>,
    tables: &Bound<'_, PyAny>,
    dir: std::path::PathBuf,
) -> PyResult<BTreeMap<String, usize>> {
    guard(|| {
        let raw = extract_tables(tables)?;
        let counts = py.detach(move || -> Result<_, Failure> {
            let mut batch = parse_tables(&raw)?;
            batch.validate()?;
            edupulse::core::csvio::write_dir(&batch, &dir)?;
            Ok(batch.counts())
        })?;
        Ok(counts.into_iter().filter(|(_, n)| *n > 0).collect())
    })
}

/// The column names of `table`, in canonical order.
#[pyfunction]
fn columns(table: &str) -> PyResult<Vec<&'static str>> {
    guard(|| {
        Ok(table_named(table)?
            .columns()
            .iter()
            .map(|c| c.name)
            .collect())
    })
}

/// The columns of `table` as `(name, kind, required)`; kind is one of `text`, `float`, `int`,
/// `bool`, `datetime`, `date`.
#[pyfunction]
fn column_specs(table: &str) -> PyResult<Vec<(&'static str, &'static str, bool)>> {
    guard(|| {
        Ok(table_named(table)?
            .columns()
            .iter()
            .map(|c| (c.name, kind_name(c.kind), c.required))
            .collect())
    })
}

/// Every result table of the daily job: `(table, step, doc, key, [(column, kind, nullable, doc)])`
/// in step order (kind: `text`, `float`, `int`, `bool`, `datetime`, `date`, `json`).
#[pyfunction]
#[allow(clippy::type_complexity)]
fn result_tables() -> Vec<(
    &'static str,
    &'static str,
    String,
    Vec<&'static str>,
    Vec<(&'static str, &'static str, bool, String)>,
)> {
    edupulse::core::results::catalog()
        .iter()
        .map(|s| {
            (
                s.name,
                s.step,
                one_line(s.doc),
                s.key.to_vec(),
                s.columns
                    .iter()
                    .map(|c| (c.name, c.kind.name(), c.nullable, one_line(c.doc)))
                    .collect(),
            )
        })
        .collect()
}

fn one_line(doc: &str) -> String {
    doc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Cap the worker threads edupulse starts in this process (see `edupulse.set_num_threads`).
#[pyfunction(name = "_set_num_threads")]
fn set_num_threads(n: usize) -> PyResult<()> {
    guard(|| runtime::set_num_threads(n))
}

/// The thread budget of this process (`set_num_threads`, `EDUPULSE_NUM_THREADS`, or 2).
#[pyfunction(name = "_get_num_threads")]
fn get_num_threads() -> usize {
    runtime::num_threads()
}

/// Test hook: panic inside Rust, to prove that panics become `edupulse.InternalError`.
/// `site` is `here` (with the GIL held), `detached` (with the GIL released), `runtime` (inside a
/// future on the async runtime) or `task` (inside a spawned task).
#[pyfunction(name = "_panic_for_tests")]
#[pyo3(signature = (site = "here"))]
fn panic_for_tests(py: Python<'_>, site: &str) -> PyResult<()> {
    guard(|| match site {
        "here" => panic!("deliberate panic for tests (GIL held)"),
        "detached" => py.detach(|| panic!("deliberate panic for tests (GIL released)")),
        "runtime" => py.detach(|| {
            runtime::block_on(async { panic!("deliberate panic for tests (in a future)") })
        }),
        "task" => py.detach(|| {
            let joined = runtime::block_on(async {
                tokio::spawn(async { panic!("deliberate panic for tests (in a task)") }).await
            })?;
            joined.map_err(|e| Failure::Internal(format!("a task failed: {e}")))
        }),
        other => Err(Failure::param(
            "site",
            format!("unknown site `{other}` (expected here, detached, runtime or task)"),
        )),
    })
}

/// Native part of edupulse; use the `edupulse` package instead.
#[pymodule]
mod _edupulse {
    #[pymodule_export]
    use super::certify::{certify_eligibility, certify_sign, certify_verify, NativeStatusList};
    #[pymodule_export]
    use super::churn::{churn_summary, NativeClassifier, NativeGammaGamma, NativeTransactionModel};
    #[pymodule_export]
    use super::community::{community_table, NativeRecommender};
    #[pymodule_export]
    use super::content::{content_mastery, content_segment_text, content_segment_transcript};
    #[pymodule_export]
    use super::defaults::defaults;
    #[pymodule_export]
    use super::demand::{NativeDemand, NativeRegressor};
    #[pymodule_export]
    use super::experiments::{experiments_analyze, experiments_test};
    #[pymodule_export]
    use super::feedback::{
        feedback_live_timeline, feedback_sentiment, feedback_sentiment_arrow,
        feedback_webinar_outcomes, NativeSentimentModel,
    };
    #[pymodule_export]
    use super::forecast::NativeForecaster;
    #[pymodule_export]
    use super::io::import_frames;
    #[pymodule_export]
    use super::kpi::kpi_scorecard;
    #[pymodule_export]
    use super::leads::leads_score;
    #[pymodule_export]
    use super::repetition::{fsrs_evaluate, fsrs_optimize, NativeFsrs};
    #[pymodule_export]
    use super::trends::{
        trends_anomaly_scores, trends_change_points, trends_detect, trends_related,
    };
    #[pymodule_export]
    use super::{
        column_specs, columns, panic_for_tests, result_tables, simulate, validate, NativeStore,
    };
    #[pymodule_export]
    use super::{get_num_threads, set_num_threads, write_csv_dir};
    use pyo3::prelude::*;
    use pyo3::types::PyTuple;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        let py = m.py();
        m.add("__version__", env!("CARGO_PKG_VERSION"))?;
        m.add("TABLES", PyTuple::new(py, super::convert::table_names())?)?;
        Ok(())
    }
}
