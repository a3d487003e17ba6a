//! SM-2, the classic baseline: the original SuperMemo-2 algorithm (as srs-benchmark replays it from
//! Anki ratings) and Anki's variant (ease factors, Hard/Easy multipliers, lapse reset).
//!
//! It decides the next interval (days) of a card from its rating history; [`sm2_retrievability`]
//! turns an interval into a recall probability (`R = 0.9^(t/I)`, srs-benchmark's curve for SM-2)
//! for evaluation.
//!
//! Three variants, because "SM-2" means different things in the literature and in benchmarks:
//! [`Sm2Variant::Original`] is srs-benchmark's `sm2()` (a lapse restarts the repetitions, so the
//! next success gets 1 day again, intervals rounded), [`Sm2Variant::Benchmark`] is the SM-2 whose
//! scores the issue quotes (0.5275 / 0.0986 / 0.581 on the josh log): srs-benchmark's
//! `SM2-trainable` model at its initial weights, where a lapse counts as the first repetition so the
//! next success goes straight to 6 days, intervals not rounded; [`Sm2Variant::Anki`] is Anki's.

use crate::error::{CoreError, Result};
use serde::{Deserialize, Serialize};

/// State of a card under SM-2.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sm2State {
    /// Current interval (days).
    pub interval: f64,
    /// Ease factor (≥ 1.3).
    pub ease: f64,
    /// Successful repetitions in a row.
    pub reps: u32,
}

impl Default for Sm2State {
    fn default() -> Self {
        Sm2State {
            interval: 0.0,
            ease: 2.5,
            reps: 0,
        }
    }
}

/// Which SM-2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Sm2Variant {
    /// SuperMemo 2 (1987) with quality `q = rating + 1` (Again→2 … Easy→5), as srs-benchmark.
    #[default]
    Original,
    /// Anki's SM-2: Again resets to 1 day and lowers ease by 0.2; Hard ×1.2 and −0.15; Good ×ease
    /// (plus half the delay); Easy ×ease×1.3 (plus the delay) and +0.15.
    Anki,
    /// srs-benchmark's `SM2-trainable` at its initial weights `[1, 6, 2.5, 0.02, 7, 0.18]`: the
    /// same ease update as [`Sm2Variant::Original`], but a lapse sets the repetition count to 1
    /// (interval 1 day) so the next success gets 6 days, and intervals are not rounded (clamped
    /// to 0.01–36500 days; ease to 1.3–10). The SM-2 of the reference figures.
    Benchmark,
}

/// SM-2 after one review with `rating` (1–4), `elapsed_days` after the previous review.
pub fn sm2_next(
    variant: Sm2Variant,
    state: Sm2State,
    rating: u8,
    elapsed_days: f64,
) -> Result<Sm2State> {
    if !(1..=4).contains(&rating) {
        return Err(CoreError::param(
            "rating",
            format!("{rating} is outside 1–4 (1 Again, 2 Hard, 3 Good, 4 Easy)"),
        ));
    }
    if !(elapsed_days.is_finite() && elapsed_days >= 0.0) {
        return Err(CoreError::param(
            "elapsed_days",
            format!("{elapsed_days} must be finite and ≥ 0"),
        ));
    }
    let mut s = state;
    match variant {
        Sm2Variant::Original => {
            let q = rating as f64 + 1.0;
            if q > 2.0 {
                s.interval = match s.reps {
                    0 => 1.0,
                    1 => 6.0,
                    _ => s.interval * s.ease,
                };
                s.reps += 1;
            } else {
                s.interval = 1.0;
                s.reps = 0;
            }
            s.ease = (s.ease + (0.1 - (5.0 - q) * (0.08 + (5.0 - q) * 0.02))).max(1.3);
            s.interval = (s.interval + 0.01).round().clamp(1.0, 36500.0);
        }
        Sm2Variant::Benchmark => {
            let q = rating as f64 + 1.0;
            s.reps = if rating > 1 {
                s.reps.saturating_add(1)
            } else {
                1
            };
            s.interval = match s.reps {
                1 => 1.0,
                2 => 6.0,
                _ => s.interval * s.ease,
            };
            s.ease = (s.ease - 0.02 * (q - 7.0).powi(2) + 0.18).clamp(1.3, 10.0);
            s.interval = s.interval.clamp(0.01, 36500.0);
        }
        Sm2Variant::Anki => {
            if s.reps == 0 {
                // Graduation from new: Again/Hard/Good → 1 day, Easy → 4 days.
                s.interval = if rating == 4 { 4.0 } else { 1.0 };
                s.reps = u32::from(rating > 1);
                if rating == 4 {
                    s.ease += 0.15;
                }
            } else {
                let delay = (elapsed_days - s.interval).max(0.0);
                match rating {
                    1 => {
                        s.interval = 1.0;
                        s.ease = (s.ease - 0.2).max(1.3);
                        s.reps = 0;
                    }
                    2 => {
                        s.interval = (s.interval * 1.2).max(s.interval + 1.0);
                        s.ease = (s.ease - 0.15).max(1.3);
                        s.reps += 1;
                    }
                    3 => {
                        s.interval = ((s.interval + delay / 2.0) * s.ease).max(s.interval + 1.0);
                        s.reps += 1;
                    }
                    _ => {
                        s.interval = ((s.interval + delay) * s.ease * 1.3).max(s.interval + 1.0);
                        s.ease += 0.15;
                        s.reps += 1;
                    }
                }
            }
            s.interval = s.interval.round().clamp(1.0, 36500.0);
        }
    }
    Ok(s)
}

/// Recall probability `elapsed_days` after a review scheduled at `interval` days: srs-benchmark's
/// exponential curve for SM-2, `0.9^(t/I)` (0.9 after one interval).
pub fn sm2_retrievability(interval: f64, elapsed_days: f64) -> f64 {
    (0.9f64.ln() * elapsed_days.max(0.0) / interval.max(1e-9)).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn original_sm2_sequence() {
        // Good, Good, Good: 1, 6, 6·2.5 = 15 (ease stays 2.5 for q = 4).
        let mut s = Sm2State::default();
        let mut ivls = vec![];
        for _ in 0..3 {
            s = sm2_next(Sm2Variant::Original, s, 3, s.interval).unwrap();
            ivls.push(s.interval);
        }
        assert_eq!(ivls, vec![1.0, 6.0, 15.0]);
        // A lapse resets to 1 day and lowers the ease by 0.32 (q = 2).
        let s2 = sm2_next(Sm2Variant::Original, s, 1, 15.0).unwrap();
        assert_eq!(s2.interval, 1.0);
        assert!((s2.ease - 2.18).abs() < 1e-12);
        assert!(sm2_next(Sm2Variant::Original, s, 0, 1.0).is_err());
    }

    #[test]
    fn anki_sm2_sequence() {
        let mut s = Sm2State::default();
        s = sm2_next(Sm2Variant::Anki, s, 3, 0.0).unwrap();
        assert_eq!(s.interval, 1.0);
        s = sm2_next(Sm2Variant::Anki, s, 3, 1.0).unwrap();
        assert_eq!(s.interval, 3.0); // round(1 · 2.5) = 3 (half away from zero)
        s = sm2_next(Sm2Variant::Anki, s, 4, 3.0).unwrap();
        assert_eq!(s.interval, 10.0); // round(3 · 2.5 · 1.3) = 10
        assert!((s.ease - 2.65).abs() < 1e-12);
        s = sm2_next(Sm2Variant::Anki, s, 1, 10.0).unwrap();
        assert_eq!(s.interval, 1.0);
        assert!((s.ease - 2.45).abs() < 1e-12);
        assert!((sm2_retrievability(10.0, 10.0) - 0.9).abs() < 1e-12);
        assert!((sm2_retrievability(10.0, 20.0) - 0.81).abs() < 1e-12);
    }

    #[test]
    fn benchmark_sm2_sequence() {
        // Good, Good, Again, Good, Good: 1, 6, 1 (a lapse is repetition 1), 6, 6·ease.
        let mut s = Sm2State::default();
        let mut ivls = vec![];
        for g in [3, 3, 1, 3, 3] {
            s = sm2_next(Sm2Variant::Benchmark, s, g, s.interval).unwrap();
            ivls.push(s.interval);
        }
        // Ease: 2.5 (q=4: −0.02·9 + 0.18 = 0), 2.5, 2.18 (q=2: −0.5 + 0.18), 2.18, 2.18.
        assert!((s.ease - 2.18).abs() < 1e-12);
        assert_eq!(&ivls[..4], &[1.0, 6.0, 1.0, 6.0]);
        assert!((ivls[4] - 6.0 * 2.18).abs() < 1e-12); // not rounded
                                                       // The original restarts from 1 day after a lapse and needs two successes to reach 6.
        let mut o = Sm2State::default();
        let mut oi = vec![];
        for g in [3, 3, 1, 3, 3] {
            o = sm2_next(Sm2Variant::Original, o, g, o.interval).unwrap();
            oi.push(o.interval);
        }
        assert_eq!(oi, vec![1.0, 6.0, 1.0, 1.0, 6.0]);
    }
}
