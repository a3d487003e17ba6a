//! Difficulty adjustment: each learner's target retention, moved within bounds from their recent
//! success, so that FSRS intervals follow how the learner is doing.
//!
//! The rule. Let `R₀` be the configured desired retention (`fsrs.desired_retention`), `n` the
//! learner's recent reviews (every review after a card's first, within `window_days` before
//! `as_of`) and `k` those rated Hard or better. With a calibrated model a learner recalls about
//! `R₀` of their scheduled reviews, so the success rate, shrunk towards `R₀` by `prior_reviews`
//! pseudo-reviews,
//!
//! ```text
//! s = (k + prior_reviews · R₀) / (n + prior_reviews)
//! ```
//!
//! measures how much easier (`s > R₀`) or harder (`s < R₀`) the reviews are for this learner than
//! intended. The learner's target is
//!
//! ```text
//! R = clamp(R₀ − gain · (s − R₀), min_retention, max_retention)
//! ```
//!
//! A struggling learner (`s < R₀`) gets a higher target, hence shorter intervals: more practice and
//! easier reviews. A learner who recalls nearly everything gets a lower target, hence longer
//! intervals: fewer, harder reviews. A learner without recent reviews keeps `R₀`. The review
//! schedule computes every card's due date from the learner's target
//! ([`crate::repetition::Fsrs::next_interval_for`]).

use crate::error::{CoreError, Result};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Parameters of the difficulty adjustment (`[job.repetition.adapt]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdaptParams {
    /// Whether to adjust the target retention per learner (off: every learner uses
    /// `fsrs.desired_retention`).
    pub enabled: bool,
    /// Days of recent reviews that count.
    pub window_days: u32,
    /// Pseudo-reviews at the desired retention that shrink a learner's success rate towards it
    /// (few reviews move the target little).
    pub prior_reviews: f64,
    /// How far the target moves per unit of success above or below the desired retention.
    pub gain: f64,
    /// Lowest target retention.
    pub min_retention: f64,
    /// Highest target retention.
    pub max_retention: f64,
}

impl Default for AdaptParams {
    fn default() -> Self {
        AdaptParams {
            enabled: true,
            window_days: 30,
            prior_reviews: 20.0,
            gain: 1.0,
            min_retention: 0.8,
            max_retention: 0.95,
        }
    }
}

impl AdaptParams {
    /// Check every field against the desired retention `base` it moves from.
    pub fn validate(&self, base: f64) -> Result<()> {
        if self.window_days == 0 || self.window_days > 3650 {
            return Err(CoreError::param("adapt.window_days", "must be in 1–3650"));
        }
        if !(self.prior_reviews.is_finite() && self.prior_reviews >= 0.0) {
            return Err(CoreError::param("adapt.prior_reviews", "must be ≥ 0"));
        }
        if !(self.gain.is_finite() && self.gain >= 0.0 && self.gain <= 10.0) {
            return Err(CoreError::param("adapt.gain", "must be in [0, 10]"));
        }
        if !(self.min_retention > 0.0 && self.min_retention < 1.0) {
            return Err(CoreError::param("adapt.min_retention", "must be in (0, 1)"));
        }
        if !(self.max_retention > 0.0 && self.max_retention < 1.0) {
            return Err(CoreError::param("adapt.max_retention", "must be in (0, 1)"));
        }
        if !(self.min_retention <= base && base <= self.max_retention) {
            return Err(CoreError::param(
                "adapt.min_retention",
                format!(
                    "the bounds [{}, {}] must contain fsrs.desired_retention {base}",
                    self.min_retention, self.max_retention
                ),
            ));
        }
        Ok(())
    }
}

/// A learner's recent success and the target retention it gives.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// Recent reviews (after a card's first, within the window).
    pub recent_reviews: u32,
    /// Of those, rated Hard or better.
    pub recent_successes: u32,
    /// The target retention.
    pub retention: f64,
}

/// One review as the adjustment sees it: time, rating (1–4), whether it is the card's first.
pub type ReviewMark = (DateTime<Utc>, u8, bool);

/// The target retention of one learner. `reviews` are `(time, rating, is_first_of_card)`; reviews
/// after `as_of` or before the window are ignored. Apply [`AdaptParams::validate`] first.
pub fn target_retention(
    reviews: impl IntoIterator<Item = ReviewMark>,
    as_of: DateTime<Utc>,
    base: f64,
    params: &AdaptParams,
) -> Target {
    let from = as_of - Duration::days(params.window_days as i64);
    let (mut n, mut k) = (0u32, 0u32);
    for (at, rating, first) in reviews {
        if first || at > as_of || at <= from {
            continue;
        }
        n += 1;
        if rating >= 2 {
            k += 1;
        }
    }
    let retention = if !params.enabled || n == 0 {
        base
    } else {
        let s = (k as f64 + params.prior_reviews * base) / (n as f64 + params.prior_reviews);
        (base - params.gain * (s - base)).clamp(params.min_retention, params.max_retention)
    };
    Target {
        recent_reviews: n,
        recent_successes: k,
        retention,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(d: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap() + Duration::days(d)
    }

    #[test]
    fn target_moves_against_success_within_bounds() {
        let p = AdaptParams::default();
        let as_of = at(40);
        // 20 recent reviews, 10 recalled: s = (10 + 20·0.9) / 40 = 0.7 → R = 0.9 + 0.2 = 1.1 → 0.95.
        let weak: Vec<_> = (0..20)
            .map(|i| (at(20 + i), (i % 2) as u8 + 1, false))
            .collect();
        let t = target_retention(weak, as_of, 0.9, &p);
        assert_eq!((t.recent_reviews, t.recent_successes), (20, 10));
        assert_eq!(t.retention, 0.95);
        // 20 recalled: s = (20 + 18) / 40 = 0.95 → R = 0.85.
        let strong: Vec<_> = (0..20).map(|i| (at(20 + i), 3, false)).collect();
        let t = target_retention(strong.clone(), as_of, 0.9, &p);
        assert!((t.retention - 0.85).abs() < 1e-12, "{}", t.retention);
        // 5 recalled, 1 forgotten: s = (5 + 18) / 26 → R = 0.9 − (23/26 − 0.9).
        let few: Vec<_> = (0..6)
            .map(|i| (at(30 + i), if i == 0 { 1 } else { 3 }, false))
            .collect();
        let t = target_retention(few, as_of, 0.9, &p);
        assert!((t.retention - (0.9 - (23.0 / 26.0 - 0.9))).abs() < 1e-12);
        // First reviews, reviews outside the window and after as_of do not count.
        let ignored = vec![(at(39), 1, true), (at(5), 1, false), (at(41), 1, false)];
        let t = target_retention(ignored, as_of, 0.9, &p);
        assert_eq!((t.recent_reviews, t.retention), (0, 0.9));
        // Disabled: the base, whatever the success.
        let off = AdaptParams {
            enabled: false,
            ..p.clone()
        };
        assert_eq!(target_retention(strong, as_of, 0.9, &off).retention, 0.9);
    }

    #[test]
    fn bad_params_are_named() {
        let p = AdaptParams::default();
        assert!(p.validate(0.9).is_ok());
        let e = p.validate(0.97).unwrap_err().to_string();
        assert!(
            e.contains("adapt.min_retention") && e.contains("0.97"),
            "{e}"
        );
        let e = AdaptParams {
            gain: f64::NAN,
            ..p.clone()
        }
        .validate(0.9)
        .unwrap_err()
        .to_string();
        assert!(e.contains("adapt.gain"), "{e}");
        let e = AdaptParams {
            window_days: 0,
            ..p
        }
        .validate(0.9)
        .unwrap_err()
        .to_string();
        assert!(e.contains("adapt.window_days"), "{e}");
    }
}
