//! Trends: which search keywords are taking off, early and without alert spam, and anomalies in
//! business metrics.
//!
//! Decides, from `keyword_interest` (keyword, date, volume) and from any metric series:
//! - [`changepoint`]: where a series changes regime (PELT, Gaussian cost, BIC-type penalty);
//! - [`robust`]: robust z-scores, the Mann-Kendall trend test with Sen's slope, CUSUM;
//! - [`eval`]: TCPDBench's F1 and cover for change-point detectors.

pub mod changepoint;
pub mod eval;
pub mod robust;
