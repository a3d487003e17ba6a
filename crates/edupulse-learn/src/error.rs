//! The one error type of `edupulse-learn`.
//!
//! Every variant names what was wrong: the parameter, or the table (`X`, `y`, a named
//! [`TabularData`](crate::TabularData) table), 1-based row and column of a bad value.
//! `edupulse-core` converts it into its own `CoreError` without losing any of that.

/// Where a bad value was found: the table, the 1-based data row and the column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// Table name (`X` for a feature matrix, `y` for targets, `table` for a tabular data set...).
    pub table: String,
    /// 1-based row; `None` for table-level problems.
    pub row: Option<usize>,
    /// Column (or `feature j`) name, when the problem is about one column.
    pub column: Option<String>,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "table `{}`", self.table)?;
        if let Some(row) = self.row {
            write!(f, ", row {row}")?;
        }
        if let Some(col) = &self.column {
            write!(f, ", column `{col}`")?;
        }
        Ok(())
    }
}

/// Errors raised by the learners.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LearnError {
    /// Input data are unusable (non-finite values, wrong shapes, unknown columns...). The
    /// location names the table, row and column.
    #[error("{location}: {message}")]
    Validation {
        /// Where.
        location: Box<Location>,
        /// What is wrong, in words.
        message: String,
    },
    /// A parameter is invalid; `name` is its field name (dotted for nested parameters).
    #[error("invalid parameter `{name}`: {message}")]
    InvalidParameter {
        /// Parameter name.
        name: String,
        /// What is wrong.
        message: String,
    },
    /// An iterative fit did not converge (or converged to a point that is not an optimum).
    #[error("{model} did not converge: {message}")]
    Convergence {
        /// The model being fitted.
        model: String,
        /// What happened.
        message: String,
    },
    /// A long fit was stopped by its [`crate::progress::Monitor`].
    #[error("cancelled")]
    Cancelled,
    /// An error raised by linfa (feature `linfa`), e.g. a dataset whose targets do not match its
    /// records.
    #[cfg(feature = "linfa")]
    #[error("linfa: {0}")]
    Linfa(String),
}

impl LearnError {
    /// A validation error at `table`, `row`, `column`.
    pub fn validation(
        table: &str,
        row: Option<usize>,
        column: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        LearnError::Validation {
            location: Box::new(Location {
                table: table.to_string(),
                row,
                column: column.map(str::to_string),
            }),
            message: message.into(),
        }
    }

    /// An invalid-parameter error.
    pub fn param(name: &str, message: impl Into<String>) -> Self {
        LearnError::InvalidParameter {
            name: name.to_string(),
            message: message.into(),
        }
    }

    /// A convergence error for `model`.
    pub fn convergence(model: &str, message: impl Into<String>) -> Self {
        LearnError::Convergence {
            model: model.to_string(),
            message: message.into(),
        }
    }

    /// The location of a validation error.
    pub fn location(&self) -> Option<&Location> {
        match self {
            LearnError::Validation { location, .. } => Some(location),
            _ => None,
        }
    }
}

#[cfg(feature = "linfa")]
impl From<linfa::Error> for LearnError {
    fn from(e: linfa::Error) -> Self {
        LearnError::Linfa(e.to_string())
    }
}

/// Result alias of the learn crate.
pub type Result<T, E = LearnError> = std::result::Result<T, E>;
