//! # edupulse
//!
//! Facade (being written).
pub use edupulse_core as core;
