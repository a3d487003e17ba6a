//! `NativeStore`: an edupulse store opened from a URL, wrapped by `edupulse.Store`.

use crate::convert::{
    collect_columns, columns_to_py, extract_tables, parse_tables, result_set_to_py, table_named,
};
use crate::errors::{guard, Failure};
use crate::runtime::block_on;
use edupulse::core::job::JobConfig;
use edupulse::core::model::parse_datetime;
use edupulse::job::{run_daily_with, RunOptions};
use edupulse::notify::{DispatchConfig, Dispatcher, FileNotifier, Notifier, StdoutNotifier};
use edupulse::store::IngestReport;
use edupulse::{Store, TimeRange};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use std::path::PathBuf;
use std::sync::Arc;

/// A store opened from a URL (`sqlite://PATH`, `memory://`, ...). Thread-safe; every call releases
/// the GIL while the store works.
#[pyclass(frozen, module = "edupulse._edupulse")]
pub struct NativeStore {
    inner: Arc<dyn Store>,
}

impl NativeStore {
    /// The clock a date-only `as_of` is read on: `timezone` when given (an unknown zone is a
    /// `ParameterError` on `timezone`), else the zone the store's latest run was made in (its
    /// summary's `timezone`), else UTC.
    fn date_clock(
        &self,
        py: Python<'_>,
        timezone: Option<String>,
    ) -> Result<edupulse::core::clock::LocalClock, Failure> {
        if let Some(tz) = timezone {
            return Ok(edupulse::core::clock::LocalClock::parse(&tz, "timezone")?);
        }
        let store = Arc::clone(&self.inner);
        let runs = py.detach(move || block_on(store.runs()))??;
        let latest = runs.iter().max_by_key(|r| r.as_of).map(|r| &r.summary);
        edupulse::report::run_clock(latest).map_err(|e| Failure::from(edupulse::Error::from(e)))
    }
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

    /// Read a folder of `<table>.csv` files (validated: errors name file, row and column) and
    /// upsert it in one transaction. Returns `{"received": {table: n}, "written": {table: n}}`.
    /// `delimiter` (default: detected), `decimal` (default: `,` for `;` files) and
    /// `date_format` (default: ISO only) as in `edupulse ingest`.
    #[pyo3(signature = (dir, delimiter=None, decimal=None, date_format=None))]
    fn ingest_dir<'py>(
        &self,
        py: Python<'py>,
        dir: PathBuf,
        delimiter: Option<String>,
        decimal: Option<String>,
        date_format: Option<String>,
    ) -> PyResult<Bound<'py, PyDict>> {
        guard(|| {
            let one_char = |name: &str, v: Option<String>| -> Result<Option<char>, Failure> {
                match v.as_deref() {
                    None => Ok(None),
                    Some("\t") | Some("tab") => Ok(Some('\t')),
                    Some(t) if t.chars().count() == 1 && t.is_ascii() => Ok(t.chars().next()),
                    Some(t) => Err(Failure::param(name, format!("`{t}` is not one character"))),
                }
            };
            let options = edupulse::core::csvio::CsvOptions {
                delimiter: one_char("delimiter", delimiter)?.map(|c| c as u8),
                decimal: one_char("decimal", decimal)?,
                date_format,
                ..Default::default()
            };
            let store = Arc::clone(&self.inner);
            let report = py.detach(move || -> Result<IngestReport, Failure> {
                Ok(block_on(edupulse::ingest_dir_with(
                    store.as_ref(),
                    &dir,
                    &options,
                ))??)
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

    /// Run the daily job (or the `steps` named) as of `as_of` and write its results,
    /// notifications and run record atomically, through `edupulse::job::run_daily_with` (the
    /// same run as the CLI's); returns the run record's summary as a dict (for a partial run, it keeps
    /// the summaries other steps wrote for the same `as_of`). A step that fails does not stop the
    /// others: the summary has `"ok": false` and `"failed_steps"`.
    ///
    /// `config` is a dict of `JobConfig` fields (None: defaults; an unknown key is a
    /// `ParameterError`). `timezone` (an IANA name such as `"Europe/Madrid"`) overrides the
    /// config's `timezone`; a date-only `as_of` is the end of that local day.
    /// The steps run one after the other with the GIL released; before each, `progress(i, n,
    /// name)` is called (if given) and Ctrl-C is polled, so a long run stops at the next step
    /// with `KeyboardInterrupt` and writes nothing.
    #[pyo3(signature = (as_of, config=None, steps=None, progress=None, timezone=None))]
    fn run<'py>(
        &self,
        py: Python<'py>,
        as_of: &Bound<'py, PyAny>,
        config: Option<Bound<'py, PyAny>>,
        steps: Option<Vec<String>>,
        progress: Option<Py<PyAny>>,
        timezone: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            let mut config: JobConfig = crate::demand::py_param("config", config.as_ref())?;
            if let Some(tz) = timezone {
                config.timezone = tz;
            }
            config.validate()?;
            let as_of = as_of_arg(as_of, &config.clock()?)?;
            let store = Arc::clone(&self.inner);
            let summary = py.detach(move || -> Result<_, Failure> {
                let stop: std::cell::RefCell<Option<Failure>> = std::cell::RefCell::new(None);
                let mut on_step = |i: usize, n: usize, name: &str| {
                    if stop.borrow().is_none() {
                        if let Err(e) = before_step(progress.as_ref(), i, n, name) {
                            *stop.borrow_mut() = Some(e);
                        }
                    }
                };
                let cancel = || stop.borrow().is_some();
                let options = RunOptions {
                    steps,
                    progress: Some(&mut on_step),
                    cancel: Some(&cancel),
                };
                let result = block_on(run_daily_with(store.as_ref(), as_of, &config, options))?;
                if let Some(e) = stop.borrow_mut().take() {
                    return Err(e);
                }
                Ok(result?.summary)
            })?;
            to_py(py, &summary)
        })
    }

    /// Deliver the pending outbox notifications: appended as JSON lines to `file` and/or printed
    /// to stdout. Each is delivered once per channel (a re-run sends nothing already sent).
    /// Returns the dispatch report as a dict.
    #[pyo3(signature = (file=None, stdout=false))]
    fn deliver<'py>(
        &self,
        py: Python<'py>,
        file: Option<PathBuf>,
        stdout: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            let mut notifiers: Vec<Arc<dyn Notifier>> = Vec::new();
            if let Some(f) = file {
                notifiers.push(Arc::new(FileNotifier::new(f)));
            }
            if stdout {
                notifiers.push(Arc::new(StdoutNotifier::new()));
            }
            if notifiers.is_empty() {
                return Err(Failure::param(
                    "file",
                    "give a file, stdout=True, or both: there is no channel to deliver to",
                ));
            }
            let store = Arc::clone(&self.inner);
            let report = py.detach(move || -> Result<_, Failure> {
                Ok(block_on(async move {
                    let d = Dispatcher::new(store, notifiers, DispatchConfig::local())
                        .map_err(edupulse::Error::from)?;
                    d.dispatch(chrono::Utc::now())
                        .await
                        .map_err(edupulse::Error::from)
                })??)
            })?;
            to_py(py, &report)
        })
    }

    /// Rows of result table `table` for `as_of` (None: the latest run that has rows) as
    /// `{"as_of": [...], column: [...]}` in the table's column order (see `result_tables()`).
    /// A date-only `as_of` is the end of that local day (see `date_clock`). An unknown table is
    /// a `ParameterError` listing the known ones.
    #[pyo3(signature = (table, as_of=None, timezone=None))]
    fn results<'py>(
        &self,
        py: Python<'py>,
        table: &str,
        as_of: Option<&Bound<'_, PyAny>>,
        timezone: Option<String>,
    ) -> PyResult<Bound<'py, PyDict>> {
        guard(|| {
            let as_of = match as_of.filter(|v| !v.is_none()) {
                Some(v) => Some(as_of_arg(v, &self.date_clock(py, timezone)?)?),
                None => None,
            };
            let store = Arc::clone(&self.inner);
            let table = table.to_string();
            let set = py.detach(move || block_on(store.results(&table, as_of)))??;
            Ok(result_set_to_py(py, set)?)
        })
    }

    /// The outbox (every row, or only the pending ones) as a list of dicts.
    #[pyo3(signature = (pending_only=false))]
    fn outbox<'py>(&self, py: Python<'py>, pending_only: bool) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            let store = Arc::clone(&self.inner);
            let rows = py.detach(move || block_on(store.outbox(pending_only)))??;
            to_py(py, &rows)
        })
    }

    /// Write the report of the run at `as_of` (the latest when None; a bare date is the end of
    /// that local day, see `date_clock`) in `lang` (`es` or `en`): `path` is a folder
    /// (report.html and report.json are written in it) or a `.html` file (the JSON goes beside
    /// it). Returns the HTML file's path.
    #[pyo3(signature = (path, lang="es", as_of=None, timezone=None))]
    fn report(
        &self,
        py: Python<'_>,
        path: PathBuf,
        lang: &str,
        as_of: Option<&Bound<'_, PyAny>>,
        timezone: Option<String>,
    ) -> PyResult<String> {
        use edupulse::report::{Error as ReportError, Lang, Report};
        guard(|| {
            let lang: Lang = lang
                .parse()
                .map_err(|e: ReportError| Failure::param("lang", e.to_string()))?;
            let as_of = match as_of.filter(|v| !v.is_none()) {
                Some(v) => Some(as_of_arg(v, &self.date_clock(py, timezone)?)?),
                None => None,
            };
            let store = Arc::clone(&self.inner);
            py.detach(move || -> Result<String, Failure> {
                let report_failure = |e: ReportError| match e {
                    ReportError::Store(e) => Failure::Store(e),
                    ReportError::Core(e) => Failure::Core(e),
                    // A file that cannot be written: an `EdupulseIOError` (an `OSError`).
                    ReportError::Io { path, message } => {
                        Failure::Core(edupulse::core::CoreError::Io { path, message })
                    }
                    other => Failure::from(edupulse::Error::from(other)),
                };
                let report =
                    block_on(Report::build(store.as_ref(), as_of))?.map_err(report_failure)?;
                let is_file = path.extension().is_some_and(|e| {
                    e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm")
                });
                let html = if is_file {
                    let io = |p: &std::path::Path, e: std::io::Error| {
                        report_failure(ReportError::Io {
                            path: p.display().to_string(),
                            message: e.to_string(),
                        })
                    };
                    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
                    }
                    let json = path.with_extension("json");
                    std::fs::write(&json, report.to_json().map_err(report_failure)?)
                        .map_err(|e| io(&json, e))?;
                    std::fs::write(&path, report.to_html(lang)).map_err(|e| io(&path, e))?;
                    // The webinar pages go where the page links them: `webinars/` beside it.
                    let dir = path.parent().unwrap_or(std::path::Path::new(""));
                    report.write_pages(dir, lang).map_err(report_failure)?;
                    path
                } else {
                    report.write(&path, lang).map_err(report_failure)?.html
                };
                Ok(html.display().to_string())
            })
        })
    }

    /// Every run record (oldest `as_of` first) as a list of dicts.
    fn runs<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            let store = Arc::clone(&self.inner);
            let rows = py.detach(move || block_on(store.runs()))??;
            to_py(py, &rows)
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

/// Called (with the GIL released) before step `i` of `n`: polls Ctrl-C and reports progress.
fn before_step(
    progress: Option<&Py<PyAny>>,
    i: usize,
    n: usize,
    name: &str,
) -> Result<(), Failure> {
    crate::runtime::check_signals()?;
    if let Some(callback) = progress {
        Python::attach(|py| callback.call1(py, (i, n, name)).map(drop))?;
    }
    Ok(())
}

/// The `as_of` of a run: like [`time_arg`], except that a plain date (`YYYY-MM-DD`, or a Python
/// `date`) means the end of that day (23:59:59 UTC), as on the command line.
fn as_of_arg(
    value: &Bound<'_, PyAny>,
    clock: &edupulse::core::clock::LocalClock,
) -> Result<chrono::DateTime<chrono::Utc>, Failure> {
    let py = value.py();
    let is_date_only = if let Ok(s) = value.cast::<PyString>() {
        chrono::NaiveDate::parse_from_str(s.to_cow()?.trim(), "%Y-%m-%d").is_ok()
    } else {
        let datetime = py.import(intern!(py, "datetime"))?;
        value.is_instance(&datetime.getattr(intern!(py, "date"))?)?
            && !value.is_instance(&datetime.getattr(intern!(py, "datetime"))?)?
    };
    let t = time_arg("as_of", Some(value))?
        .ok_or_else(|| Failure::param("as_of", "as_of is required"))?;
    Ok(if is_date_only {
        clock.as_of_end_of_day(t.date_naive())
    } else {
        t
    })
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

/// A Rust value as Python objects (dicts, lists, numbers, str, None) through its serde form.
fn to_py<'py, T: serde::Serialize>(py: Python<'py>, v: &T) -> Result<Bound<'py, PyAny>, Failure> {
    pythonize::pythonize(py, v)
        .map_err(|e| Failure::Internal(format!("cannot convert a result to Python: {e}")))
}
