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
pub use related::{emerging_queries, Emergence, EmergingQuery, RelatedParams, RelatedQuery};

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

/// Run the detector on long-format columns, one series per keyword code: `codes[i]` (an index
/// into `names`) observed `volumes[i]` on day `days[i]` (days since 1970-01-01). `as_of` (days
/// since the epoch) defaults to the last day. Results are sorted by name; series are grouped in
/// linear time and analysed on up to `threads` threads (1 = this thread only). A code outside
/// `names`, an out-of-range day or columns of different lengths are errors naming the column.
///
/// ```
/// use edupulse_core::trends::{detect_grouped, TrendDetector};
/// let names = vec!["b".to_string(), "a".to_string()];
/// let codes = [0i64, 1, 0, 1];
/// let days = [20_000i64, 20_000, 20_001, 20_001];
/// let volumes = [1.0, 2.0, 1.0, 2.0];
/// let out = detect_grouped(&names, &codes, &days, &volumes, None, &TrendDetector::default(), 2)
///     .unwrap();
/// assert_eq!(out.iter().map(|t| t.keyword.as_str()).collect::<Vec<_>>(), ["a", "b"]);
/// assert_eq!(out[0].n_points, 2);
/// ```
pub fn detect_grouped(
    names: &[String],
    codes: &[i64],
    days: &[i64],
    volumes: &[f64],
    as_of: Option<i64>,
    detector: &TrendDetector,
    threads: usize,
) -> Result<Vec<KeywordTrend>> {
    use crate::error::CoreError;
    if days.len() != codes.len() || volumes.len() != codes.len() {
        return Err(CoreError::param(
            "df",
            format!(
                "keyword, date and volume columns differ in length ({}, {}, {})",
                codes.len(),
                days.len(),
                volumes.len()
            ),
        ));
    }
    // 1970-01-01 is day 719,163 counted from 0001-01-01 (day 1).
    let to_date = |x: i64| {
        i32::try_from(x + 719_163)
            .ok()
            .and_then(NaiveDate::from_num_days_from_ce_opt)
            .ok_or_else(|| CoreError::param("date", format!("day {x} is out of range")))
    };
    let as_of = match as_of.or_else(|| days.iter().copied().max()) {
        Some(x) => to_date(x)?,
        None => to_date(0)?,
    };
    // Counting sort of the rows by code.
    let k = names.len();
    let mut start = vec![0usize; k + 1];
    for (row, &c) in codes.iter().enumerate() {
        let slot = usize::try_from(c).ok().filter(|&c| c < k).ok_or_else(|| {
            CoreError::param(
                "keyword",
                format!("row {row}: code {c} is not a keyword (missing value?)"),
            )
        })?;
        start[slot + 1] += 1;
    }
    for i in 0..k {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut pts = vec![(as_of, 0.0f64); codes.len()];
    for ((&c, &d), &v) in codes.iter().zip(days).zip(volumes) {
        // Codes were checked above.
        let slot = c as usize;
        pts[fill[slot]] = (to_date(d)?, v);
        fill[slot] += 1;
    }
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| names[a].cmp(&names[b]));
    let run = |idx: &[usize]| -> Result<Vec<KeywordTrend>> {
        let mut ws = detector::DetectorWorkspace::default();
        idx.iter()
            .map(|&i| detector.detect_with(&names[i], &pts[start[i]..start[i + 1]], as_of, &mut ws))
            .collect()
    };
    // At most `threads`, and never more than the process budget (edupulse_learn::parallel).
    let threads = crate::learn::parallel::threads_for(threads.clamp(1, 64), k);
    if threads == 1 {
        return run(&order);
    }
    let size = k.div_ceil(threads);
    let chunks: Vec<&[usize]> = order.chunks(size).collect();
    let parts: Vec<Result<Vec<KeywordTrend>>> =
        crate::learn::parallel::map_with(threads, chunks.len(), |c| {
            run(chunks.get(c).copied().unwrap_or(&[]))
        });
    let mut out = Vec::with_capacity(k);
    for p in parts {
        out.extend(p?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
