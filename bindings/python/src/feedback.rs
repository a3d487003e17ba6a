//! Bindings of `edupulse_core::feedback`: conversion and error mapping only. Texts cross as a
//! list of str or as an Arrow string column (read in place: module `arrow_text`); per-webinar outcomes come back as a dict of columns (`edupulse.feedback` types
//! them from the result table's spec). The GIL is released around the computations.

use crate::arrow_text::TextColumn;
use crate::errors::{guard, Failure};
use chrono::{DateTime, Duration, Utc};
use edupulse::core::feedback::{
    score_columns, score_columns_bytes, webinar_outcomes, FeedbackConfig, SentimentColumns,
    SentimentModel, SentimentModelParams, SentimentParams,
};
use edupulse::core::results::ResultSet;
use numpy::PyArray1;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};

/// The lexicon sentiment of `texts` as numpy arrays: score (float64), label code (int8: 0
/// negative, 1 neutral, 2 positive), low_coverage (bool), truncated (bool).
type SentimentArrays<'py> = (
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<i8>>,
    Bound<'py, PyArray1<bool>>,
    Bound<'py, PyArray1<bool>>,
);

extern "C" {
    /// CPython's UTF-8 view of a str (cached in the object; no copy for ASCII strings). Exported
    /// by every CPython 3 and in the stable ABI since 3.10; pyo3's `abi3-py39` build does not
    /// declare it, so it is declared here.
    fn PyUnicode_AsUTF8AndSize(
        unicode: *mut pyo3::ffi::PyObject,
        size: *mut pyo3::ffi::Py_ssize_t,
    ) -> *const std::os::raw::c_char;
}

/// The lexicon sentiment of every text of a list (`edupulse.feedback.sentiment`). The texts are
/// read in place (CPython's UTF-8 view of each str, no copy) and scored without the GIL on the
/// thread budget; the columns come back as numpy arrays. A non-str item raises `TypeError`
/// (the Python wrapper then names it); a str with a lone surrogate raises `ParameterError`.
#[pyfunction]
#[pyo3(signature = (texts, neutral_band = 0.1))]
pub(crate) fn feedback_sentiment<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyList>,
    neutral_band: f64,
) -> PyResult<SentimentArrays<'py>> {
    guard(|| {
        let params = SentimentParams {
            neutral_band,
            ..SentimentParams::default()
        };
        // A tuple holds every str alive and in place while the GIL is released (a list could
        // be changed by another thread meanwhile).
        let items: Bound<'py, PyTuple> = texts.to_tuple();
        let mut strs: Vec<&str> = Vec::with_capacity(items.len());
        for (i, item) in items.iter_borrowed().enumerate() {
            if !item.is_instance_of::<PyString>() {
                return Err(Failure::Py(PyTypeError::new_err(i)));
            }
            let mut len: pyo3::ffi::Py_ssize_t = 0;
            // SAFETY: `item` is a str (checked above) and the GIL is held. The returned buffer
            // belongs to the str, which `items` keeps alive (and str is immutable) until `strs`
            // is dropped at the end of this function; CPython guarantees valid UTF-8.
            let s = unsafe {
                let p = PyUnicode_AsUTF8AndSize(item.as_ptr(), &mut len);
                if p.is_null() {
                    let why = PyErr::fetch(py);
                    return Err(Failure::param(
                        "texts",
                        format!("at index {i}: not valid Unicode text ({why})"),
                    ));
                }
                std::str::from_utf8_unchecked(std::slice::from_raw_parts(
                    p.cast::<u8>(),
                    usize::try_from(len).unwrap_or(0),
                ))
            };
            strs.push(s);
        }
        let c = py.detach(|| score_columns(&strs, &params))?;
        Ok(sentiment_arrays(py, c))
    })
}

/// The numpy arrays of scored columns.
fn sentiment_arrays(py: Python<'_>, c: SentimentColumns) -> SentimentArrays<'_> {
    let codes: Vec<i8> = c.label.iter().map(|&x| x as i8).collect();
    (
        PyArray1::from_vec(py, c.score),
        PyArray1::from_vec(py, codes),
        PyArray1::from_vec(py, c.low_coverage),
        PyArray1::from_vec(py, c.truncated),
    )
}

/// The lexicon sentiment of a column of texts exported through the Arrow PyCapsule interface
/// (`__arrow_c_stream__` / `__arrow_c_array__`: polars Series, pyarrow Array / ChunkedArray, a
/// pandas arrow-backed string array), read in place (no Python str per text: module
/// `arrow_text`), then checked as UTF-8 and scored without the GIL (`score_columns_bytes`).
/// `None` when `texts` exports no string column (utf8, large_utf8 or utf8_view), for the Python
/// wrapper to fall back to the list path. A null raises `ParameterError` naming its index, like a missing value in a list.
#[pyfunction]
#[pyo3(signature = (texts, neutral_band = 0.1))]
pub(crate) fn feedback_sentiment_arrow<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
    neutral_band: f64,
) -> PyResult<Option<SentimentArrays<'py>>> {
    guard(|| {
        let params = SentimentParams {
            neutral_band,
            ..SentimentParams::default()
        };
        params.validate()?;
        let Some(column) = TextColumn::from_py(texts)? else {
            return Ok(None);
        };
        let bytes = column.texts()?;
        let c = py.detach(|| score_columns_bytes(&bytes, &params))?;
        // The arrays are released here, with the GIL held.
        drop(bytes);
        drop(column);
        Ok(Some(sentiment_arrays(py, c)))
    })
}

/// The latest time in the tables the outcomes read (webinar ends, registrations, purchases,
/// lead events, feedback); the Unix epoch for empty tables.
fn latest(t: &edupulse::core::Tables) -> DateTime<Utc> {
    let ends = t
        .webinars
        .iter()
        .map(|w| w.starts_at + Duration::minutes(i64::from(w.duration_min)));
    let regs = t.registrations.iter().map(|r| r.registered_at);
    let buys = t.purchases.iter().map(|p| p.at);
    let events = t.lead_events.iter().map(|e| e.at);
    let said = t.feedback.iter().map(|f| f.at);
    ends.chain(regs)
        .chain(buys)
        .chain(events)
        .chain(said)
        .max()
        .unwrap_or(DateTime::UNIX_EPOCH)
}

/// `webinar_outcomes` of `tables` as of `as_of` (unix seconds; default: the latest time in the
/// tables) with `config` (a dict of `[job.feedback]` fields): a dict of columns with `as_of`.
#[pyfunction]
#[pyo3(signature = (tables, as_of = None, config = None))]
pub(crate) fn feedback_webinar_outcomes<'py>(
    py: Python<'py>,
    tables: &Bound<'py, PyAny>,
    as_of: Option<i64>,
    config: Option<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    guard(|| {
        let cfg: FeedbackConfig = crate::demand::py_param("config", config.as_ref())?;
        let raw = crate::convert::extract_tables(tables)?;
        let set = py.detach(move || -> Result<ResultSet, Failure> {
            let mut t = crate::convert::parse_tables(&raw)?;
            t.validate()?;
            let at = match as_of {
                Some(s) => DateTime::from_timestamp(s, 0)
                    .ok_or_else(|| Failure::param("as_of", "not a representable time"))?,
                None => latest(&t),
            };
            let rows = webinar_outcomes(&t, at, &cfg)?;
            Ok(ResultSet::of(at, &rows))
        })?;
        crate::convert::result_set_to_py(py, set).map_err(Failure::Py)
    })
}

/// Columns of a live timeline: (minute, messages, questions, mean_sentiment, positive, negative).
type TimelineColumns = (
    Vec<i64>,
    Vec<u32>,
    Vec<u32>,
    Vec<Option<f64>>,
    Vec<u32>,
    Vec<u32>,
);

/// The live timeline of one webinar from its rows' `at` (unix seconds), `kind` and `text`
/// (`edupulse.feedback.live_timeline`).
#[pyfunction]
#[pyo3(signature = (at, kind, text, start, end, now, neutral_band = 0.1))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn feedback_live_timeline(
    py: Python<'_>,
    at: Vec<i64>,
    kind: Vec<String>,
    text: Vec<String>,
    start: i64,
    end: i64,
    now: i64,
    neutral_band: f64,
) -> PyResult<TimelineColumns> {
    use edupulse::core::feedback::live_timeline;
    use edupulse::core::model::FeedbackKind;
    guard(|| {
        let time = |name: &str, s: i64| {
            DateTime::from_timestamp(s, 0)
                .ok_or_else(|| Failure::param(name, "not a representable time"))
        };
        let mut rows = Vec::with_capacity(at.len());
        for (i, ((a, k), t)) in at.iter().zip(&kind).zip(text).enumerate() {
            let k: FeedbackKind = k.parse().map_err(|e: String| {
                Failure::Core(edupulse::core::CoreError::validation(
                    "feedback",
                    Some(i + 1),
                    Some("kind"),
                    e,
                ))
            })?;
            rows.push((time("at", *a)?, k, t));
        }
        let (start, end, now) = (
            time("starts_at", start)?,
            time("end", end)?,
            time("now", now)?,
        );
        let params = SentimentParams {
            neutral_band,
            ..SentimentParams::default()
        };
        let minutes = py.detach(move || live_timeline(&rows, start, end, now, &params))?;
        let mut out: TimelineColumns = Default::default();
        for m in minutes {
            out.0.push(m.minute);
            out.1.push(m.messages);
            out.2.push(m.questions);
            out.3.push(m.mean_sentiment);
            out.4.push(m.positive);
            out.5.push(m.negative);
        }
        Ok(out)
    })
}

/// A fitted trainable sentiment model (`edupulse.feedback.SentimentModel`; the Rust value, serde
/// JSON bytes only for pickling).
#[pyclass(frozen, module = "edupulse._edupulse")]
pub struct NativeSentimentModel {
    inner: SentimentModel,
}

#[pymethods]
impl NativeSentimentModel {
    /// Fit on `texts` and string `labels`; `params`: a dict of `SentimentModelParams` fields
    /// (`solver` a dict of `SparseLogisticParams` fields; missing ones default). The GIL is
    /// released during the fit.
    #[staticmethod]
    #[pyo3(signature = (texts, labels, params=None))]
    fn fit(
        py: Python<'_>,
        texts: Vec<String>,
        labels: Vec<String>,
        params: Option<Bound<'_, PyAny>>,
    ) -> PyResult<NativeSentimentModel> {
        guard(|| {
            let params: SentimentModelParams = crate::demand::py_param("params", params.as_ref())?;
            let inner = py.detach(move || SentimentModel::fit(&texts, &labels, &params))?;
            Ok(NativeSentimentModel { inner })
        })
    }

    /// Restore from [`NativeSentimentModel::state`] bytes (checked like a model file).
    #[staticmethod]
    fn from_state(state: &[u8]) -> PyResult<NativeSentimentModel> {
        guard(|| {
            let text = std::str::from_utf8(state).map_err(|e| {
                Failure::param("state", format!("not a sentiment model state: {e}"))
            })?;
            let inner = SentimentModel::from_json(text).map_err(|e| {
                Failure::param("state", format!("not a sentiment model state: {e}"))
            })?;
            Ok(NativeSentimentModel { inner })
        })
    }

    /// A model from the text of a model file (`SentimentModel::from_json`, the format of
    /// `edupulse sentiment train --out`); `file` names the file in a `ValidationError`.
    #[staticmethod]
    #[pyo3(signature = (text, file=None))]
    fn from_json(text: &str, file: Option<String>) -> PyResult<NativeSentimentModel> {
        guard(|| {
            let inner = SentimentModel::from_json(text).map_err(|e| match &file {
                Some(f) => e.in_file(f),
                None => e,
            })?;
            Ok(NativeSentimentModel { inner })
        })
    }

    /// The model file's text with `classes` as its label names (one per class, in column
    /// order; Python fits on class indices and keeps the labels itself).
    fn to_json(&self, classes: Vec<String>) -> PyResult<String> {
        guard(|| {
            let mut m = self.inner.clone();
            if classes.len() != m.classes.len() {
                return Err(Failure::param(
                    "classes",
                    format!("{} names for {} classes", classes.len(), m.classes.len()),
                ));
            }
            m.classes = classes;
            m.check()
                .map_err(|e| Failure::param("classes", e.to_string()))?;
            Ok(m.to_json()?)
        })
    }

    /// The parameters the model was fitted with, as serde JSON (`SentimentModelParams`).
    fn params_json(&self) -> PyResult<String> {
        guard(|| {
            serde_json::to_string(&self.inner.params).map_err(|e| Failure::Internal(e.to_string()))
        })
    }

    /// The fitted model as serde JSON bytes.
    fn state<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let v = guard(|| {
            serde_json::to_vec(&self.inner).map_err(|e| Failure::Internal(e.to_string()))
        })?;
        Ok(PyBytes::new(py, &v))
    }

    /// The labels, sorted (the columns of `predict_proba`).
    fn classes(&self) -> Vec<String> {
        self.inner.classes().to_vec()
    }

    /// Calibrated label probabilities, `n × classes` flattened row-major, computed with the GIL
    /// released.
    fn predict_proba<'py>(
        &self,
        py: Python<'py>,
        texts: Vec<String>,
    ) -> PyResult<Bound<'py, numpy::PyArray1<f64>>> {
        let v = guard(|| Ok(py.detach(|| self.inner.predict_proba(&texts))?))?;
        Ok(numpy::PyArray1::from_vec(py, v))
    }
}
