//! Trends: which search keywords are taking off, early and without alert spam, and anomalies in
//! business metrics.
//!
//! Decides, from `keyword_interest` (keyword, date, volume) and from any metric series:
//! - [`detector`]: per keyword, growth against its baseline (the source's +50 % rule), robust z,
//!   Mann-Kendall trend with Sen's slope, change points, a decision (rising / stable / falling)
//!   and an alert with a severity and an episode (the dedupe key of the alert);
//! - [`changepoint`]: where a series changes regime (PELT, Gaussian line cost, BIC penalty);
//! - [`robust`]: robust z-scores, the Mann-Kendall trend test with Sen's slope, CUSUM;
//! - [`eval`]: TCPDBench's F1 and cover for change-point detectors;
//! - [`anomaly`]: causal, day-of-week aware anomaly scores for business metric series;
//! - [`related`]: rising and breakout related queries (the source's "emerging keywords");
//! - [`step`]: the daily-job step writing `trend_alerts` and outbox alerts.

pub mod anomaly;
pub mod changepoint;
pub mod detector;
pub mod eval;
pub mod related;
pub mod robust;
pub mod step;

pub use anomaly::{anomaly_scores, AnomalyParams};
pub use changepoint::{change_points, ChangePointParams, CostModel};
pub use detector::{Decision, KeywordTrend, TrendDetector, TrendParams};
pub use related::{emerging_queries, EmergingQuery, RelatedParams, RelatedQuery};

use crate::error::Result;
use crate::model::KeywordInterest;
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// The series name of a row: the keyword, with ` [geo]` appended for regional rows.
pub fn series_name(r: &KeywordInterest) -> String {
    match &r.geo {
        Some(g) if !g.is_empty() => format!("{} [{g}]", r.keyword),
        _ => r.keyword.clone(),
    }
}

/// Run the detector on every keyword (and geo) of `rows`, as of `as_of`; sorted by name.
pub fn detect_keywords(
    rows: &[KeywordInterest],
    as_of: NaiveDate,
    detector: &TrendDetector,
) -> Result<Vec<KeywordTrend>> {
    let mut groups: BTreeMap<String, Vec<(NaiveDate, f64)>> = BTreeMap::new();
    for r in rows {
        groups
            .entry(series_name(r))
            .or_default()
            .push((r.date, r.volume));
    }
    let mut ws = detector::DetectorWorkspace::default();
    groups
        .iter()
        .map(|(k, pts)| detector.detect_with(k, pts, as_of, &mut ws))
        .collect()
}

#[cfg(test)]
mod tests;
