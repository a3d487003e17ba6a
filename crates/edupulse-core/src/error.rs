//! The one error type of `edupulse-core`.

use serde::{Deserialize, Serialize};

/// Where a bad value was found: the table, the 1-based data row (header excluded) and the column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// Table name as in DESIGN §3 (`students`, `reviews`, ...).
    pub table: String,
    /// 1-based data row (the header is not counted); `None` for table-level problems.
    pub row: Option<usize>,
    /// Column name, when the problem is about one column.
    pub column: Option<String>,
    /// The file the row came from, when it came from a file.
    pub file: Option<String>,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}: ")?;
        }
        write!(f, "table `{}`", self.table)?;
        if let Some(row) = self.row {
            // Data row N is line N+1 of a CSV file with a header.
            write!(f, ", row {row} (line {})", row + 1)?;
        }
        if let Some(col) = &self.column {
            write!(f, ", column `{col}`")?;
        }
        Ok(())
    }
}

/// Errors raised by the core crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CoreError {
    /// Input data broke the contract of DESIGN §3. The location names table, row and column.
    #[error("{location}: {message}")]
    Validation {
        /// Where.
        location: Box<Location>,
        /// What is wrong, in words.
        message: String,
    },
    /// A parameter or configuration value is invalid.
    #[error("invalid parameter `{name}`: {message}")]
    InvalidParameter {
        /// Parameter name.
        name: String,
        /// What is wrong.
        message: String,
    },
    /// An iterative fit (maximum likelihood, IRLS...) did not converge, or converged to a point
    /// that is not a proper optimum (e.g. a singular Hessian).
    #[error("{model} did not converge: {message}")]
    Convergence {
        /// The model being fitted.
        model: String,
        /// What happened (iterations, gradient norm...).
        message: String,
    },
    /// Reading or writing a CSV file failed below the level of values (I/O, encoding).
    #[error("{path}: {message}")]
    Io {
        /// The path involved.
        path: String,
        /// What happened.
        message: String,
    },
    /// A long computation was stopped by its [`crate::progress::Monitor`] (e.g. Ctrl-C).
    #[error("cancelled")]
    Cancelled,
}

impl CoreError {
    /// A validation error at `table`, `row`, `column`.
    pub fn validation(
        table: &str,
        row: Option<usize>,
        column: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        CoreError::Validation {
            location: Box::new(Location {
                table: table.to_string(),
                row,
                column: column.map(str::to_string),
                file: None,
            }),
            message: message.into(),
        }
    }

    /// An invalid-parameter error.
    pub fn param(name: &str, message: impl Into<String>) -> Self {
        CoreError::InvalidParameter {
            name: name.to_string(),
            message: message.into(),
        }
    }

    /// A convergence error for `model`.
    pub fn convergence(model: &str, message: impl Into<String>) -> Self {
        CoreError::Convergence {
            model: model.to_string(),
            message: message.into(),
        }
    }

    /// Attach a file name to a validation error (no-op for other kinds).
    pub fn in_file(mut self, file: &str) -> Self {
        if let CoreError::Validation { location, .. } = &mut self {
            location.file = Some(file.to_string());
        }
        self
    }

    /// The location of a validation error.
    pub fn location(&self) -> Option<&Location> {
        match self {
            CoreError::Validation { location, .. } => Some(location),
            _ => None,
        }
    }
}

/// Result alias of the core crate.
pub type Result<T, E = CoreError> = std::result::Result<T, E>;

impl From<edupulse_learn::LearnError> for CoreError {
    fn from(e: edupulse_learn::LearnError) -> Self {
        use edupulse_learn::LearnError as L;
        match e {
            L::Validation { location, message } => CoreError::validation(
                &location.table,
                location.row,
                location.column.as_deref(),
                message,
            ),
            L::InvalidParameter { name, message } => CoreError::InvalidParameter { name, message },
            L::Convergence { model, message } => CoreError::Convergence { model, message },
            L::Cancelled => CoreError::Cancelled,
            // `LearnError` is non-exhaustive (and has a `linfa` variant behind a feature).
            other => CoreError::param("model", other.to_string()),
        }
    }
}
