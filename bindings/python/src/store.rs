//! `NativeStore`: an edupulse store opened from a URL, wrapped by `edupulse.Store`.

use crate::convert::{collect_columns, columns_to_py, extract_tables, parse_tables, table_named};
use crate::errors::{guard, Failure};
use crate::runtime::block_on;
use edupulse::core::model::parse_datetime;
use edupulse::store::IngestReport;
use edupulse::{Store, TimeRange};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use std::sync::Arc;

/// A store opened from a URL (`sqlite://PATH`, `memory://`, ...). Thread-safe; every call releases
/// the GIL while the store works.
#[pyclass(frozen, module = "edupulse._edupulse")]
pub struct NativeStore {
    inner: Arc<dyn Store>,
}

#[pymethods]
impl NativeStore {
    /// Open (and create or migrate if needed) the store at `url`.
    #[staticmethod]
    fn open(py: Python<'_>, url: &str) -> PyResult<Self> {
        guard(|| {
            let url = url.to_string();
            let inner = py.detach(move || block_on(edupulse::open_store(&url)))??;
            Ok(NativeStore { inner })
        })
    }

    /// Validate `{table: {column: list}}` and upsert it in one transaction.
    /// Returns `{"received": {table: n}, "written": {table: n}}`.
    fn ingest<'py>(
        &self,
        py: Python<'py>,
        tables: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyDict>> {
        guard(|| {
            let raw = extract_tables(tables)?;
            let store = Arc::clone(&self.inner);
            let report = py.detach(move || -> Result<IngestReport, Failure> {
                let mut batch = parse_tables(&raw)?;
                batch.validate()?;
                Ok(block_on(store.ingest(&batch))??)
            })?;
            let out = PyDict::new(py);
            out.set_item("received", report.received)?;
            out.set_item("written", report.written)?;
            Ok(out)
        })
    }

    /// Rows of `table` filed in `[start, end)` as `{column: list}`.
    #[pyo3(signature = (table, start=None, end=None))]
    fn read<'py>(
        &self,
        py: Python<'py>,
        table: &str,
        start: Option<&Bound<'py, PyAny>>,
        end: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        guard(|| {
            let table = table_named(table)?;
            let range = TimeRange {
                start: time_arg("start", start)?,
                end: time_arg("end", end)?,
            };
            if let (Some(s), Some(e)) = (range.start, range.end) {
                if s > e {
                    return Err(Failure::param("start", "start is after end"));
                }
            }
            let store = Arc::clone(&self.inner);
            let data = py.detach(move || -> Result<_, Failure> {
                let batch = block_on(store.read(table, range))??;
                Ok(collect_columns(table, &batch))
            })?;
            Ok(columns_to_py(py, data)?)
        })
    }

    /// Row counts of every table the store holds.
    fn counts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        guard(|| {
            let store = Arc::clone(&self.inner);
            let counts = py.detach(move || block_on(store.counts()))??;
            let out = PyDict::new(py);
            for (table, n) in counts {
                out.set_item(table, n)?;
            }
            Ok(out)
        })
    }

    /// The store's URL with any password removed.
    #[getter]
    fn url(&self) -> String {
        self.inner.describe()
    }

    fn __repr__(&self) -> String {
        format!("NativeStore({:?})", self.inner.describe())
    }
}

/// A time bound: None, a string (RFC 3339 or ISO date; naive means UTC), or anything with
/// `isoformat()` (datetime, date, pandas Timestamp).
fn time_arg(
    name: &str,
    value: Option<&Bound<'_, PyAny>>,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, Failure> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    let text = if let Ok(s) = value.cast::<PyString>() {
        s.to_cow()?.into_owned()
    } else if value.hasattr(intern!(value.py(), "isoformat"))? {
        value
            .call_method0(intern!(value.py(), "isoformat"))?
            .str()?
            .to_cow()?
            .into_owned()
    } else {
        return Err(Failure::param(
            name,
            "expected None, a str, a datetime, a date or a pandas Timestamp",
        ));
    };
    parse_datetime(&text)
        .map(Some)
        .map_err(|m| Failure::param(name, m))
}
