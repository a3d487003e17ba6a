//! Fitting the 21 FSRS-6 parameters to a review log.
//!
//! It decides the parameters that minimise the log loss of the predicted recall probability of
//! every inter-day, non-first review (the same objective as the `fsrs` crate's optimizer), from a
//! learner's or a course's review log. Our own fit rather than the `fsrs` crate's: the model is
//! evaluated in `f64` with forward-mode dual numbers carrying the exact gradient with respect to
//! all 21 parameters, full-batch Adam with a cosine learning-rate schedule, projection onto
//! py-fsrs's parameter bounds after every step, and an L2 pull towards the default parameters
//! scaled by their spread across users (the `fsrs` crate's regulariser) that keeps small logs from
//! over-fitting. It keeps `ndarray 0.17` (the `fsrs` crate's dependency) out of our graph and
//! gives the same parameters on every machine.

use super::eval::{
    fsrs_predictions, fsrs_predictions_of_cards, metrics, Dataset, EvalParams, LogReview, Metrics,
};
use super::fsrs::{validate_parameters, DEFAULT_PARAMETERS, LOWER_BOUNDS, UPPER_BOUNDS};
use super::real::{Dual, Real, NP};
use crate::error::{CoreError, Result};
use serde::{Deserialize, Serialize};

/// Spread of each parameter across Anki users (the `fsrs` crate's `PARAMS_STDDEV`), the scale of
/// the regulariser.
const PARAMS_STDDEV: [f64; NP] = [
    6.43, 9.66, 17.58, 27.85, 0.57, 0.28, 0.6, 0.12, 0.39, 0.18, 0.33, 0.3, 0.09, 0.16, 0.57, 0.25,
    1.03, 0.31, 0.32, 0.14, 0.27,
];

/// Parameters of the fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OptimizerParams {
    /// Adam steps (full batch).
    pub iterations: usize,
    /// Initial learning rate (cosine-annealed to 0).
    pub learning_rate: f64,
    /// Weight of the pull towards the default parameters (0 = none).
    pub regularization: f64,
    /// How the log is read (day boundary, folds for cross-validation).
    pub eval: EvalParams,
}

impl Default for OptimizerParams {
    fn default() -> Self {
        OptimizerParams {
            iterations: 100,
            learning_rate: 0.04,
            regularization: 1.0,
            eval: EvalParams::default(),
        }
    }
}

impl OptimizerParams {
    /// Check the parameters.
    pub fn validate(&self) -> Result<()> {
        if self.iterations == 0 {
            return Err(CoreError::param("iterations", "must be ≥ 1"));
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(CoreError::param("learning_rate", "must be finite and > 0"));
        }
        if !(self.regularization.is_finite() && self.regularization >= 0.0) {
            return Err(CoreError::param("regularization", "must be finite and ≥ 0"));
        }
        self.eval.validate()
    }
}

/// Fitted FSRS-6 parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedFsrs {
    /// The 21 parameters.
    pub parameters: Vec<f64>,
    /// Mean log loss on the training reviews with the fitted parameters.
    pub train_log_loss: f64,
    /// Number of training reviews.
    pub n_train: usize,
}

/// Training sets at least this large compute the gradient on two threads.
const PARALLEL_MIN_ITEMS: usize = 1_000;

/// Negative log likelihood (sum) of items `0..end` restricted to cards `cards`, with gradient.
fn nll_of_cards(ds: &Dataset, wd: &[Dual; NP], end: usize, cards: std::ops::Range<usize>) -> Dual {
    let eps = 1e-7;
    let mut total = Dual::cst(0.0);
    fsrs_predictions_of_cards(
        wd,
        ds,
        |k, p| {
            let p = super::real::clamp(p, eps, 1.0 - eps);
            let l = if ds.items[k].y {
                p.ln()
            } else {
                (Dual::cst(1.0) - p).ln()
            };
            total = total - l;
        },
        0..end,
        cards,
    );
    total
}

/// Mean log loss over items `0..end` and its gradient (plus the regulariser). Cards are
/// independent, so a large training set is cut into two halves of about equal review counts,
/// one per thread of the budget (`edupulse_learn::parallel`); the cut depends on the data only, so every machine gets the same sums.
fn loss_and_grad(ds: &Dataset, w: &[f64; NP], end: usize, reg: f64) -> (f64, [f64; NP]) {
    let wd: [Dual; NP] = std::array::from_fn(|i| Dual::var(w[i], i));
    let nc = ds.cards.len();
    let total = if end >= PARALLEL_MIN_ITEMS {
        // First card index at which half of the training items are covered.
        let mut per_card = vec![0usize; nc];
        for it in ds.items.iter().take(end) {
            per_card[it.card as usize] += 1;
        }
        let (mut acc, mut cut) = (0, nc);
        for (c, &k) in per_card.iter().enumerate() {
            acc += k;
            if 2 * acc >= end {
                cut = c + 1;
                break;
            }
        }
        let (a, b) = crate::learn::parallel::join(
            || nll_of_cards(ds, &wd, end, 0..cut),
            || nll_of_cards(ds, &wd, end, cut..nc),
        );
        a + b
    } else {
        nll_of_cards(ds, &wd, end, 0..nc)
    };
    let n = end.max(1) as f64;
    let mut loss = total.v / n;
    let mut g = total.d;
    for (i, gi) in g.iter_mut().enumerate() {
        *gi /= n;
        let z = (w[i] - DEFAULT_PARAMETERS[i]) / PARAMS_STDDEV[i];
        loss += reg * z * z / n;
        *gi += reg * 2.0 * z / PARAMS_STDDEV[i] / n;
    }
    (loss, g)
}

/// Fit on the first `end` items of a dataset.
pub(crate) fn fit_dataset(ds: &Dataset, end: usize, p: &OptimizerParams) -> Result<FittedFsrs> {
    p.validate()?;
    if end == 0 {
        return Err(CoreError::param(
            "review_log",
            "no inter-day, non-first review to learn from",
        ));
    }
    let mut w = DEFAULT_PARAMETERS;
    let (mut m, mut v) = ([0.0; NP], [0.0; NP]);
    let (b1, b2, eps) = (0.9, 0.999, 1e-8);
    for t in 1..=p.iterations {
        let (_, g) = loss_and_grad(ds, &w, end, p.regularization);
        if g.iter().any(|x| !x.is_finite()) {
            break;
        }
        let lr = 0.5
            * p.learning_rate
            * (1.0 + (std::f64::consts::PI * (t - 1) as f64 / p.iterations as f64).cos());
        crate::progress::tick(t, p.iterations)?;
        for i in 0..NP {
            m[i] = b1 * m[i] + (1.0 - b1) * g[i];
            v[i] = b2 * v[i] + (1.0 - b2) * g[i] * g[i];
            let mh = m[i] / (1.0 - b1.powi(t as i32));
            let vh = v[i] / (1.0 - b2.powi(t as i32));
            w[i] = (w[i] - lr * mh / (vh.sqrt() + eps)).clamp(LOWER_BOUNDS[i], UPPER_BOUNDS[i]);
        }
    }
    let (loss, _) = loss_and_grad(ds, &w, end, 0.0);
    validate_parameters(&w)?;
    Ok(FittedFsrs {
        parameters: w.to_vec(),
        train_log_loss: loss,
        n_train: end,
    })
}

/// Fit FSRS-6 to a whole review log (in any order: replayed sorted by time, then card).
pub fn fit(log: &[LogReview], params: &OptimizerParams) -> Result<FittedFsrs> {
    params.validate()?;
    let ds = Dataset::new(log, &params.eval)?;
    fit_dataset(&ds, ds.len(), params)
}

/// Time-series cross-validation of the fit: for each fold, fit on the reviews before it and score
/// the fold's predictions; the scores are over all test folds together.
pub fn cross_validate(log: &[LogReview], params: &OptimizerParams) -> Result<Metrics> {
    params.validate()?;
    let ds = Dataset::new(log, &params.eval)?;
    let splits = ds.splits(params.eval.n_splits)?;
    let mut p = vec![0.0; ds.len()];
    for &(train_end, start, end) in &splits {
        let fitted = fit_dataset(&ds, train_end, params)?;
        let w = validate_parameters(&fitted.parameters)?;
        fsrs_predictions(&w, &ds, |k, r| p[k] = r, start..end);
    }
    let (start, end) = (splits[0].1, splits[splits.len() - 1].2);
    Ok(metrics(&ds.items[start..end], &p[start..end]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repetition::eval::evaluate_fsrs;
    use crate::repetition::fsrs::{Fsrs, MemoryState, Rating};
    use chrono::{Duration, TimeZone, Utc};
    use rand::{Rng, SeedableRng};

    #[test]
    fn gradient_matches_finite_differences() {
        let log = synthetic_log(&DEFAULT_PARAMETERS, 30, 1);
        let ds = Dataset::new(&log, &EvalParams::default()).unwrap();
        let mut w = DEFAULT_PARAMETERS;
        w[20] = 0.3;
        let (_, g) = loss_and_grad(&ds, &w, ds.len(), 0.5);
        for i in [0, 4, 8, 9, 10, 11, 14, 15, 16, 17, 19, 20] {
            let h = 1e-6;
            let mut a = w;
            a[i] += h;
            let mut b = w;
            b[i] -= h;
            let fd = (loss_and_grad(&ds, &a, ds.len(), 0.5).0
                - loss_and_grad(&ds, &b, ds.len(), 0.5).0)
                / (2.0 * h);
            assert!(
                (g[i] - fd).abs() < 1e-5 * (1.0 + fd.abs()),
                "w{i}: {} vs {fd}",
                g[i]
            );
        }
    }

    /// Same-day reviews (every rating) inside the histories: the dual numbers follow the
    /// short-term path, its clamp at an increase of 1 included, to finite differences.
    #[test]
    fn gradient_with_same_day_reviews_matches_finite_differences() {
        let mut log = synthetic_log(&DEFAULT_PARAMETERS, 30, 5);
        let extra: Vec<LogReview> = log
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 3 == 1)
            .map(|(i, r)| LogReview {
                card_id: r.card_id.clone(),
                review_time: r.review_time + Duration::hours(1),
                rating: (i % 4) as u8 + 1,
            })
            .collect();
        assert!(extra.iter().any(|r| r.rating == 2));
        log.extend(extra);
        let ds = Dataset::new(&log, &EvalParams::default()).unwrap();
        let w = DEFAULT_PARAMETERS;
        let (_, g) = loss_and_grad(&ds, &w, ds.len(), 0.5);
        for i in [2, 3, 15, 17, 18, 19] {
            let h = 1e-6;
            let mut a = w;
            a[i] += h;
            let mut b = w;
            b[i] -= h;
            let fd = (loss_and_grad(&ds, &a, ds.len(), 0.5).0
                - loss_and_grad(&ds, &b, ds.len(), 0.5).0)
                / (2.0 * h);
            assert!(
                (g[i] - fd).abs() < 1e-5 * (1.0 + fd.abs()),
                "w{i}: {} vs {fd}",
                g[i]
            );
        }
    }

    #[test]
    fn two_thread_gradient_equals_one_thread() {
        let log = synthetic_log(&DEFAULT_PARAMETERS, 400, 3);
        let ds = Dataset::new(&log, &EvalParams::default()).unwrap();
        assert!(ds.len() >= PARALLEL_MIN_ITEMS, "{}", ds.len());
        let mut w = DEFAULT_PARAMETERS;
        w[9] = 0.3;
        let (loss, g) = loss_and_grad(&ds, &w, ds.len(), 0.0);
        let wd: [Dual; NP] = std::array::from_fn(|i| Dual::var(w[i], i));
        let one = nll_of_cards(&ds, &wd, ds.len(), 0..ds.cards.len());
        let n = ds.len() as f64;
        assert!((loss - one.v / n).abs() <= 1e-12 * loss.abs());
        for (i, (a, b)) in g.iter().zip(one.d.iter()).enumerate() {
            assert!((a - b / n).abs() <= 1e-12 * (1.0 + a.abs()), "w{i}");
        }
    }

    /// Reviews simulated from FSRS-6 with parameters `w`: each card reviewed when due (± a few
    /// days), recalled with the model's probability.
    fn synthetic_log(w: &[f64; NP], cards: usize, seed: u64) -> Vec<LogReview> {
        let f = Fsrs::with_parameters(w).unwrap();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let t0 = Utc.with_ymd_and_hms(2024, 1, 1, 10, 0, 0).unwrap();
        let mut log = Vec::new();
        for c in 0..cards {
            let mut day = rng.gen_range(0..30i64);
            let mut st: Option<MemoryState> = None;
            let mut last = day;
            for _ in 0..8 {
                let rating = match st {
                    None => rng.gen_range(1..=4u8),
                    Some(s) => {
                        let r = f.retrievability(s.stability, (day - last) as f64).unwrap();
                        if rng.gen::<f64>() < r {
                            3
                        } else {
                            1
                        }
                    }
                };
                log.push(LogReview {
                    card_id: format!("c{c}"),
                    review_time: t0 + Duration::days(day),
                    rating,
                });
                st = Some(
                    f.next_state(st, (day - last) as f64, Rating::from_u8(rating).unwrap())
                        .unwrap(),
                );
                last = day;
                let ivl = f.next_interval(st.map(|s| s.stability).unwrap_or(1.0)) as i64;
                day += (ivl as f64 * rng.gen_range(0.5..2.5)).round().max(1.0) as i64;
            }
        }
        log.sort_by_key(|r| r.review_time);
        log
    }

    #[test]
    fn fit_lowers_the_loss_of_data_from_other_parameters() {
        let mut truth = DEFAULT_PARAMETERS;
        truth[8] = 1.2; // slower stability growth
        truth[20] = 0.4; // different forgetting curve
        let log = synthetic_log(&truth, 300, 7);
        let ds = Dataset::new(&log, &EvalParams::default()).unwrap();
        let p = OptimizerParams {
            iterations: 60,
            ..OptimizerParams::default()
        };
        let fitted = fit_dataset(&ds, ds.len(), &p).unwrap();
        let (default_loss, _) = loss_and_grad(&ds, &DEFAULT_PARAMETERS, ds.len(), 0.0);
        assert!(
            fitted.train_log_loss < default_loss - 0.005,
            "{} vs {default_loss}",
            fitted.train_log_loss
        );
        // It moves towards the truth.
        assert!(fitted.parameters[8] < DEFAULT_PARAMETERS[8]);
    }

    #[test]
    fn a_log_in_any_order_fits_as_the_time_sorted_log() {
        let log = synthetic_log(&DEFAULT_PARAMETERS, 40, 3);
        let p = OptimizerParams {
            iterations: 5,
            ..OptimizerParams::default()
        };
        let sorted = fit(&log, &p).unwrap();
        // By card then time (how a user exports it), and reversed.
        let mut by_card = log.clone();
        by_card.sort_by(|a, b| (&a.card_id, a.review_time).cmp(&(&b.card_id, b.review_time)));
        assert_ne!(
            by_card.iter().map(|r| r.review_time).collect::<Vec<_>>(),
            log.iter().map(|r| r.review_time).collect::<Vec<_>>()
        );
        assert_eq!(fit(&by_card, &p).unwrap().parameters, sorted.parameters);
        let mut rev = log.clone();
        rev.reverse();
        assert_eq!(fit(&rev, &p).unwrap().parameters, sorted.parameters);
        let ds = Dataset::new(&by_card, &EvalParams::default()).unwrap();
        let ds2 = Dataset::new(&log, &EvalParams::default()).unwrap();
        // Same reviews, same scores (cards may be numbered in another order: sums to 1e-12).
        let (m1, m2) = (
            evaluate_fsrs(&ds, None, 3).unwrap(),
            evaluate_fsrs(&ds2, None, 3).unwrap(),
        );
        assert_eq!((m1.n, m1.auc), (m2.n, m2.auc));
        assert!(
            (m1.log_loss - m2.log_loss).abs() < 1e-12,
            "{m1:?} vs {m2:?}"
        );
        assert!(
            (m1.rmse_bins - m2.rmse_bins).abs() < 1e-12,
            "{m1:?} vs {m2:?}"
        );
    }

    #[test]
    fn bad_logs_are_named_errors() {
        let mut log = synthetic_log(&DEFAULT_PARAMETERS, 5, 3);
        log[2].rating = 7;
        let e = fit(&log, &OptimizerParams::default()).unwrap_err();
        assert!(e.to_string().contains("review_rating"), "{e}");
        let e = fit(&[], &OptimizerParams::default()).unwrap_err();
        assert!(e.to_string().contains("review_log"), "{e}");
    }
}
