//! A daily series from `(date, value)` points: sorted, checked, and made gap-free.
//!
//! Duplicate dates are always an error (which of two values is right cannot be guessed); a
//! non-finite value is an error; gaps (missing dates between the first and the last) follow
//! [`GapPolicy`].

use crate::error::{CoreError, Result};
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// Table name used in the errors about an input series.
pub const SERIES: &str = "series";

/// What to do with dates missing between the first and the last point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum GapPolicy {
    /// A missing date is an error naming the first missing date.
    Error,
    /// Linear interpolation between the neighbouring observed dates (a daily metric such as page
    /// views or sign-ups that was not recorded that day).
    Interpolate,
    /// A missing date is 0 (daily revenue: no purchase that day).
    Zero,
}

/// A gap-free daily series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DailySeries {
    /// The first date.
    pub start: NaiveDate,
    /// One value per day from `start`.
    pub values: Vec<f64>,
    /// How many days were filled by the gap policy.
    pub filled: usize,
}

impl DailySeries {
    /// The date of day `i` (0-based).
    pub fn date(&self, i: usize) -> NaiveDate {
        self.start + Duration::days(i as i64)
    }

    /// The date after the last one.
    pub fn end(&self) -> NaiveDate {
        self.date(self.values.len())
    }
}

/// Sort `points` by date, reject duplicates and non-finite values (errors name the 1-based input
/// row), and fill gaps by `gaps`.
///
/// ```
/// use chrono::NaiveDate;
/// use edupulse_core::forecast::{daily_series, GapPolicy};
/// let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
/// let s = daily_series(&[(d("2025-01-01"), 1.0), (d("2025-01-03"), 3.0)], GapPolicy::Interpolate).unwrap();
/// assert_eq!(s.values, vec![1.0, 2.0, 3.0]);
/// assert_eq!(s.filled, 1);
/// ```
pub fn daily_series(points: &[(NaiveDate, f64)], gaps: GapPolicy) -> Result<DailySeries> {
    if points.is_empty() {
        return Err(CoreError::validation(
            SERIES,
            None,
            None,
            "the series is empty",
        ));
    }
    for (i, (_, v)) in points.iter().enumerate() {
        if !v.is_finite() {
            return Err(CoreError::validation(
                SERIES,
                Some(i + 1),
                Some("value"),
                format!("{v} is not a finite number"),
            ));
        }
    }
    let mut order: Vec<usize> = (0..points.len()).collect();
    order.sort_by_key(|&i| (points[i].0, i));
    for w in order.windows(2) {
        if points[w[0]].0 == points[w[1]].0 {
            return Err(CoreError::validation(
                SERIES,
                Some(w[1] + 1),
                Some("date"),
                format!(
                    "duplicate date {} (also on row {}); aggregate the day first",
                    points[w[1]].0,
                    w[0] + 1
                ),
            ));
        }
    }
    let start = points[order[0]].0;
    let mut values = Vec::with_capacity(points.len());
    let mut filled = 0;
    let mut prev: Option<(i64, f64)> = None;
    for &i in &order {
        let (date, v) = points[i];
        let day = (date - start).num_days();
        if let Some((pd, pv)) = prev {
            let missing = day - pd - 1;
            if missing > 0 {
                if gaps == GapPolicy::Error {
                    return Err(CoreError::validation(
                        SERIES,
                        Some(i + 1),
                        Some("date"),
                        format!(
                            "{missing} missing date(s) before {date}, from {}",
                            start + Duration::days(pd + 1)
                        ),
                    ));
                }
                for k in 1..=missing {
                    values.push(match gaps {
                        GapPolicy::Zero => 0.0,
                        _ => pv + (v - pv) * k as f64 / (missing + 1) as f64,
                    });
                }
                filled += missing as usize;
            }
        }
        values.push(v);
        prev = Some((day, v));
    }
    Ok(DailySeries {
        start,
        values,
        filled,
    })
}
