//! # edupulse-core
//!
//! The domain model and the analytics of edupulse: pure, synchronous functions over plain data.
//! No I/O beyond reading and writing CSV files the caller names, no async runtime.
//!
//! - [`model`]: one record type per table of the data contract, with validation whose errors name
//!   the table, the row and the column;
//! - [`csvio`]: a folder of `<table>.csv` files in and out;
//! - [`simulate`]: a deterministic, seeded business whose behaviour follows known rules — the
//!   ground truth for demos and tests;
//! - [`kpi`]: the business KPIs of the daily job (funnel, active students, revenue, completion);
//! - [`results`]: what a run produces (result rows, notifications, the run record).
//!
//! ```
//! use edupulse_core::simulate::{simulate, SimConfig};
//! let tables = simulate(&SimConfig { students: 50, seed: 7, ..SimConfig::default() }).unwrap();
//! assert_eq!(tables.students.len(), 50);
//! ```
#![warn(missing_docs)]

pub mod certify;
pub mod churn;
pub mod clock;
pub mod community;
pub mod content;
pub mod csvio;
pub mod demand;
pub mod error;
pub mod experiments;
pub mod feedback;
pub mod forecast;
pub mod import;
pub mod job;
pub mod kpi;
pub mod leads;
/// The learning engine (the `edupulse-learn` crate): every `edupulse_core::learn::X` path is
/// `edupulse_learn::X`.
pub use edupulse_learn as learn;
pub mod model;
use edupulse_learn::num;
/// Progress and cancellation of long fits (from `edupulse-learn`).
pub use edupulse_learn::progress;
pub mod repetition;
pub mod results;
pub mod simulate;
pub mod trends;

pub use error::{CoreError, Location, Result};
pub use model::{Record, Table, Tables};
