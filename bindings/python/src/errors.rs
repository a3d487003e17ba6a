//! The Python exception classes of edupulse and the mapping of every Rust error onto them.
//!
//! ```text
//! EdupulseError(Exception)
//! ├── ValidationError   table, row, column, file, message   (CoreError::Validation, StoreError::Validation)
//! ├── ParameterError    parameter, message                   (CoreError::InvalidParameter)
//! ├── ConvergenceError  model, message                       (CoreError::Convergence)
//! ├── StoreError        kind, message                        (StoreError::{Url, Backend, Corrupt, SchemaTooNew})
//! ├── InternalError     message                              (a Rust panic: a bug in edupulse)
//! └── NotFittedError    (also ValueError, AttributeError)    (an estimator used before `fit`;
//!                                                             defined in Python: edupulse._base)
//! ```
//!
//! The Rust error enums are `#[non_exhaustive]`: a variant added later becomes an `EdupulseError`
//! (a `StoreError` for the store's enum) until it gets a class of its own.

use edupulse::core::{CoreError, Location};
use edupulse::store::StoreError as StoreFailure;
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyType;
use std::any::Any;

create_exception!(
    edupulse,
    EdupulseError,
    PyException,
    "Base class of every error raised by edupulse."
);
create_exception!(
    edupulse,
    ValidationError,
    EdupulseError,
    "Input data broke the data contract. `table`, `row` (1-based position of the row in its \
     DataFrame) and `column` say where; each is None when it does not apply; `message` says what."
);
create_exception!(
    edupulse,
    ParameterError,
    EdupulseError,
    "A parameter or option is invalid; `parameter` names it and `message` says why."
);
create_exception!(
    edupulse,
    ConvergenceError,
    EdupulseError,
    "An iterative fit (maximum likelihood, Newton...) did not converge, or the data do not \
     identify the model; `model` names it and `message` says what happened and what helps."
);
create_exception!(
    edupulse,
    StoreError,
    EdupulseError,
    "A store failed: a bad URL, the database, or corrupt data. `kind` is one of 'url', \
     'backend', 'corrupt', 'schema_too_new' or 'other'. Messages never contain passwords."
);
create_exception!(
    edupulse,
    InternalError,
    EdupulseError,
    "A bug in edupulse (a Rust panic, caught before it could reach Python). Please report it."
);

/// Give the exception classes their attributes as class attributes defaulting to None, so that
/// instances raised from Python code (or built by hand) have them too.
pub(crate) fn init_class_attributes(py: Python<'_>) -> PyResult<()> {
    let classes: [(Bound<'_, PyType>, &[&str]); 5] = [
        (
            py.get_type::<ValidationError>(),
            &["table", "row", "column", "file", "message"],
        ),
        (py.get_type::<ParameterError>(), &["parameter", "message"]),
        (py.get_type::<StoreError>(), &["kind", "message"]),
        (py.get_type::<ConvergenceError>(), &["model", "message"]),
        (py.get_type::<InternalError>(), &["message"]),
    ];
    for (ty, attrs) in classes {
        for attr in attrs {
            ty.setattr(*attr, py.None())?;
        }
    }
    Ok(())
}

/// Everything that can go wrong inside a binding call, carried without the GIL (all variants are
/// `Send`) and turned into a Python exception when the call returns to Python.
#[derive(Debug)]
pub(crate) enum Failure {
    /// An error of the core crate.
    Core(CoreError),
    /// An error of a store.
    Store(StoreFailure),
    /// A Python exception raised while reading Python objects.
    Py(PyErr),
    /// A bug (a panic or a broken invariant), described.
    Internal(String),
}

impl From<CoreError> for Failure {
    fn from(e: CoreError) -> Self {
        Failure::Core(e)
    }
}

impl From<edupulse::learn::LearnError> for Failure {
    fn from(e: edupulse::learn::LearnError) -> Self {
        Failure::Core(CoreError::from(e))
    }
}

impl From<StoreFailure> for Failure {
    fn from(e: StoreFailure) -> Self {
        Failure::Store(e)
    }
}

impl From<PyErr> for Failure {
    fn from(e: PyErr) -> Self {
        Failure::Py(e)
    }
}

impl From<edupulse::Error> for Failure {
    fn from(e: edupulse::Error) -> Self {
        match e {
            edupulse::Error::Core(e) => Failure::Core(e),
            edupulse::Error::Store(e) => Failure::Store(e),
            other => Failure::Py(EdupulseError::new_err(other.to_string())),
        }
    }
}

impl From<Failure> for PyErr {
    fn from(f: Failure) -> PyErr {
        Python::attach(|py| f.into_pyerr(py))
    }
}

impl Failure {
    /// A validation error about a whole table or one of its columns (no row).
    pub(crate) fn table(table: &str, column: Option<&str>, message: impl Into<String>) -> Self {
        Failure::Core(CoreError::validation(table, None, column, message))
    }

    /// An invalid-parameter error.
    pub(crate) fn param(name: &str, message: impl Into<String>) -> Self {
        Failure::Core(CoreError::param(name, message))
    }

    /// The Python exception for this failure.
    pub(crate) fn into_pyerr(self, py: Python<'_>) -> PyErr {
        match self {
            Failure::Core(e) => core_error(py, e),
            Failure::Store(e) => store_error(py, e),
            Failure::Py(e) => e,
            Failure::Internal(message) => internal_error(py, &message),
        }
    }
}

/// Raise `class(message)` with extra attributes set on the instance.
fn with_attributes<'py>(
    py: Python<'py>,
    err: PyErr,
    attrs: &[(&str, Option<Bound<'py, PyAny>>)],
) -> PyErr {
    let value = err.value(py);
    for (name, v) in attrs {
        // Setting an attribute on a fresh exception instance cannot fail short of memory
        // exhaustion; the exception is still raised without it then.
        let _ = match v {
            Some(v) => value.setattr(*name, v),
            None => value.setattr(*name, py.None()),
        };
    }
    err
}

fn text<'py>(py: Python<'py>, s: &str) -> Option<Bound<'py, PyAny>> {
    Some(pyo3::types::PyString::new(py, s).into_any())
}

fn validation_error(py: Python<'_>, location: &Location, message: &str) -> PyErr {
    let mut place = String::new();
    if let Some(file) = &location.file {
        place.push_str(file);
        place.push_str(": ");
    }
    place.push_str(&format!("table '{}'", location.table));
    if let Some(row) = location.row {
        place.push_str(&format!(", row {row}"));
    }
    if let Some(col) = &location.column {
        place.push_str(&format!(", column '{col}'"));
    }
    let err = ValidationError::new_err(format!("{place}: {message}"));
    let row = location
        .row
        .and_then(|r| r.into_pyobject(py).ok())
        .map(|r| r.into_any());
    with_attributes(
        py,
        err,
        &[
            ("table", text(py, &location.table)),
            ("row", row),
            (
                "column",
                location.column.as_deref().and_then(|c| text(py, c)),
            ),
            ("file", location.file.as_deref().and_then(|f| text(py, f))),
            ("message", text(py, message)),
        ],
    )
}

/// Map a core error onto its Python class.
pub(crate) fn core_error(py: Python<'_>, e: CoreError) -> PyErr {
    match &e {
        CoreError::Validation { location, message } => validation_error(py, location, message),
        CoreError::InvalidParameter { name, message } => with_attributes(
            py,
            ParameterError::new_err(e.to_string()),
            &[
                ("parameter", text(py, name)),
                ("message", text(py, message)),
            ],
        ),
        CoreError::Convergence { model, message } => with_attributes(
            py,
            ConvergenceError::new_err(e.to_string()),
            &[("model", text(py, model)), ("message", text(py, message))],
        ),
        CoreError::Io { .. } => EdupulseError::new_err(e.to_string()),
        _ => EdupulseError::new_err(e.to_string()),
    }
}

/// Map a store error onto its Python class (validation errors keep their own class).
pub(crate) fn store_error(py: Python<'_>, e: StoreFailure) -> PyErr {
    if let StoreFailure::Validation(core) = e {
        return core_error(py, core);
    }
    let kind = match &e {
        StoreFailure::Url { .. } => "url",
        StoreFailure::Backend { .. } => "backend",
        StoreFailure::Corrupt { .. } => "corrupt",
        StoreFailure::SchemaTooNew { .. } => "schema_too_new",
        _ => "other",
    };
    let message = e.to_string();
    with_attributes(
        py,
        StoreError::new_err(message.clone()),
        &[("kind", text(py, kind)), ("message", text(py, &message))],
    )
}

fn internal_error(py: Python<'_>, what: &str) -> PyErr {
    let message = format!("internal error in edupulse (a bug; please report it): {what}");
    with_attributes(
        py,
        InternalError::new_err(message),
        &[("message", text(py, what))],
    )
}

/// The message of a panic payload.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        format!("panic: {s}")
    } else if let Some(s) = payload.downcast_ref::<String>() {
        format!("panic: {s}")
    } else {
        "panic with a non-text payload".to_string()
    }
}

/// Run one entry point: a panic anywhere inside (including in GIL-free sections and on the async
/// runtime of the current call) becomes `edupulse.InternalError` instead of unwinding into Python.
pub(crate) fn guard<T>(f: impl FnOnce() -> Result<T, Failure>) -> PyResult<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(failure)) => Err(failure.into()),
        Err(payload) => Err(Failure::Internal(panic_message(payload.as_ref())).into()),
    }
}
