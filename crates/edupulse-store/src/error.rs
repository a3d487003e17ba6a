//! The one error type of `edupulse-store`.

use edupulse_core::CoreError;

/// Errors raised by stores. Messages never contain passwords or other secrets.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The data broke the contract (names table, row, column).
    #[error(transparent)]
    Validation(#[from] CoreError),
    /// A store URL could not be understood or names an unknown backend.
    #[error("invalid store URL `{url}`: {message}")]
    Url {
        /// The URL with any password removed.
        url: String,
        /// What is wrong.
        message: String,
    },
    /// The backend failed (I/O, SQL, connection). `backend` names it (and the host, never the
    /// password).
    #[error("{backend}: {message}")]
    Backend {
        /// Which backend (e.g. `sqlite:/path/to.db`).
        backend: String,
        /// What happened.
        message: String,
    },
    /// Stored data could not be decoded (a corrupt or foreign database).
    #[error("corrupt data in `{table}`: {message}")]
    Corrupt {
        /// The table.
        table: String,
        /// What is wrong.
        message: String,
    },
    /// The database was written by a newer edupulse.
    #[error("schema version {found} is newer than this edupulse supports ({supported})")]
    SchemaTooNew {
        /// Version found.
        found: u32,
        /// Highest supported version.
        supported: u32,
    },
}

/// Result alias of the store crate.
pub type StoreResult<T> = std::result::Result<T, StoreError>;
