//! The mapping of every Rust error onto the Python exception classes of edupulse.
//!
//! The classes live in Python (`edupulse.exceptions`), so that an error raised by Rust and one
//! raised by Python code are built the same way: the class called with its attributes as keyword
//! arguments, the text composed by the class.
//!
//! ```text
//! EdupulseError(Exception)
//! ├── ValidationError (also ValueError)   table, row, column, file, message   (CoreError::Validation)
//! ├── ParameterError  (also ValueError)   parameter, message                  (CoreError::InvalidParameter)
//! ├── ConvergenceError                    model, message                      (CoreError::Convergence)
//! ├── EdupulseIOError (also OSError)      path, message, errno                (CoreError::Io)
//! ├── StoreError                          kind, message                       (StoreError::{Url, Backend, Corrupt, SchemaTooNew})
//! │   └── StoreIOError (also EdupulseIOError)  kind, path, message, errno     (StoreError::Backend with an OS error)
//! ├── InternalError                       message                             (a Rust panic: a bug in edupulse)
//! ├── NotFittedError, StepFailedError     (raised by Python code only)
//! ```
//!
//! The Rust error enums are `#[non_exhaustive]`: a variant added later becomes an `EdupulseError`
//! (a `StoreError` for the store's enum) until it gets a class of its own.

use edupulse::core::{CoreError, Location};
use edupulse::store::StoreError as StoreFailure;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use pyo3::IntoPyObjectExt;
use std::any::Any;

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
    /// Any other error of the edupulse facade (an `EdupulseError`), described.
    Other(String),
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
            other => Failure::Other(other.to_string()),
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
            Failure::Other(message) => other_error(py, &message),
        }
    }
}

/// An attribute value handed to the exception class.
type Attr<'py> = Option<Bound<'py, PyAny>>;

/// Build `edupulse.exceptions.<class>(**attributes)` as the error to raise. If the class cannot
/// be built (the package is broken), the error saying why is raised instead.
fn raise(py: Python<'_>, class: &str, attributes: &[(&str, Attr<'_>)]) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let cls = py.import("edupulse.exceptions")?.getattr(class)?;
        let kwargs = PyDict::new(py);
        for (name, value) in attributes {
            kwargs.set_item(*name, value)?;
        }
        Ok(PyErr::from_value(cls.call((), Some(&kwargs))?))
    };
    build().unwrap_or_else(|e| e)
}

fn text<'py>(py: Python<'py>, s: &str) -> Attr<'py> {
    Some(pyo3::types::PyString::new(py, s).into_any())
}

fn number<'py>(py: Python<'py>, n: impl IntoPyObject<'py>) -> Attr<'py> {
    n.into_bound_py_any(py).ok()
}

/// The operating system's error number in a message that ends with a Rust `std::io::Error`
/// (whose text ends in "(os error N)"), if any.
fn os_error(message: &str) -> Option<i32> {
    let start = message.rfind("(os error ")? + "(os error ".len();
    let rest = &message[start..];
    rest[..rest.find(')')?].trim().parse().ok()
}

fn validation_error(py: Python<'_>, location: &Location, message: &str) -> PyErr {
    raise(
        py,
        "ValidationError",
        &[
            ("table", text(py, &location.table)),
            ("row", location.row.and_then(|r| number(py, r))),
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
        CoreError::InvalidParameter { name, message } => raise(
            py,
            "ParameterError",
            &[
                ("parameter", text(py, name)),
                ("message", text(py, message)),
            ],
        ),
        CoreError::Convergence { model, message } => raise(
            py,
            "ConvergenceError",
            &[("model", text(py, model)), ("message", text(py, message))],
        ),
        CoreError::Io { path, message } => raise(
            py,
            "EdupulseIOError",
            &[
                ("path", text(py, path)),
                ("message", text(py, message)),
                ("errno", os_error(message).and_then(|n| number(py, n))),
            ],
        ),
        _ => raise(
            py,
            "EdupulseError",
            &[("message", text(py, &e.to_string()))],
        ),
    }
}

/// Map a store error onto its Python class (validation errors keep their own class; a backend
/// failure that is an operating-system I/O error is a `StoreIOError`, also an `OSError`).
pub(crate) fn store_error(py: Python<'_>, e: StoreFailure) -> PyErr {
    if let StoreFailure::Validation(core) = e {
        return core_error(py, core);
    }
    let message = e.to_string();
    let kind = match &e {
        StoreFailure::Url { .. } => "url",
        StoreFailure::Backend { backend, message } => {
            if let Some(errno) = os_error(message) {
                let path = backend.strip_prefix("sqlite:");
                return raise(
                    py,
                    "StoreIOError",
                    &[
                        ("kind", text(py, "backend")),
                        ("path", path.and_then(|p| text(py, p))),
                        ("message", text(py, &e.to_string())),
                        ("errno", number(py, errno)),
                    ],
                );
            }
            "backend"
        }
        StoreFailure::Corrupt { .. } => "corrupt",
        StoreFailure::SchemaTooNew { .. } => "schema_too_new",
        _ => "other",
    };
    raise(
        py,
        "StoreError",
        &[("kind", text(py, kind)), ("message", text(py, &message))],
    )
}

/// An error of the edupulse facade that is neither a core nor a store error.
pub(crate) fn other_error(py: Python<'_>, message: &str) -> PyErr {
    raise(py, "EdupulseError", &[("message", text(py, message))])
}

fn internal_error(py: Python<'_>, what: &str) -> PyErr {
    raise(py, "InternalError", &[("message", text(py, what))])
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
