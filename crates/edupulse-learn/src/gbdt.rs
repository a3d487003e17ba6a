//! Histogram gradient boosting for regression (squared loss), after scikit-learn's
//! `HistGradientBoostingRegressor`: trees grown best first up to `max_leaf_nodes` leaves, leaf
//! values `−G/(H+l2)` shrunk by the learning rate, and early stopping on a held-out validation
//! split (the model keeps the iterations up to the best validation loss).
//!
//! Defaults are scikit-learn's except `early_stopping` (on, where scikit-learn turns it on only
//! above 10,000 rows) and `max_iter` (500 instead of 100, which early stopping cuts short): the
//! held-out split both picks the number of trees and makes the intervals honest.
//!
//! Intervals are split-conformal: the `1−α` quantile of the absolute residuals on the validation
//! split (held out from fitting) is added on both sides of the prediction. Without early stopping
//! there is no held-out split and the training residuals are used instead, which gives intervals
//! that are too narrow; [`GradientBoosting::interval_source`] says which was used.

use super::forest::{check_alpha, PredictionInterval};
use super::regress::{
    boost_round, check_matrix, check_predict, normalise, GrowParams, Grower, Objective,
    SquaredError,
};
use super::tree::Tree;
use crate::error::{LearnError, Result};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Parameters of [`GradientBoosting::fit`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GbdtParams {
    /// Maximum boosting iterations (trees).
    pub max_iter: usize,
    /// Shrinkage of each tree.
    pub learning_rate: f64,
    /// Maximum leaves per tree (`None` = unbounded; then `max_depth` should be set).
    pub max_leaf_nodes: Option<usize>,
    /// Maximum depth per tree (`None` = unbounded).
    pub max_depth: Option<usize>,
    /// Minimum training rows per leaf.
    pub min_samples_leaf: usize,
    /// L2 penalty on leaf values.
    pub l2: f64,
    /// Maximum histogram bins per feature (2–256).
    pub max_bins: usize,
    /// Hold out `validation_fraction` of the rows and stop when the validation loss has not
    /// improved by more than `tol` for `n_iter_no_change` iterations.
    pub early_stopping: bool,
    /// Fraction of rows held out for early stopping and the interval.
    pub validation_fraction: f64,
    /// Patience of early stopping.
    pub n_iter_no_change: usize,
    /// Minimum relative improvement of the validation loss.
    pub tol: f64,
    /// Seed of the validation split.
    pub seed: u64,
}

impl Default for GbdtParams {
    fn default() -> Self {
        GbdtParams {
            max_iter: 500,
            learning_rate: 0.1,
            max_leaf_nodes: Some(31),
            max_depth: None,
            min_samples_leaf: 20,
            l2: 0.0,
            max_bins: 256,
            early_stopping: true,
            validation_fraction: 0.1,
            n_iter_no_change: 10,
            tol: 1e-7,
            seed: 42,
        }
    }
}

impl GbdtParams {
    /// Check the parameters.
    pub fn validate(&self) -> Result<()> {
        if self.max_iter == 0 {
            return Err(LearnError::param("max_iter", "must be ≥ 1"));
        }
        if !(self.learning_rate > 0.0 && self.learning_rate <= 1.0) {
            return Err(LearnError::param("learning_rate", "must be in (0, 1]"));
        }
        if self.max_leaf_nodes.is_some_and(|m| m < 2) {
            return Err(LearnError::param("max_leaf_nodes", "must be ≥ 2 (or None)"));
        }
        if self.max_depth == Some(0) {
            return Err(LearnError::param("max_depth", "must be ≥ 1 (or None)"));
        }
        if self.min_samples_leaf == 0 {
            return Err(LearnError::param("min_samples_leaf", "must be ≥ 1"));
        }
        if !(self.l2 >= 0.0 && self.l2.is_finite()) {
            return Err(LearnError::param("l2", "must be ≥ 0"));
        }
        if !(2..=256).contains(&self.max_bins) {
            return Err(LearnError::param("max_bins", "must be in 2..=256"));
        }
        if !(self.validation_fraction > 0.0 && self.validation_fraction < 1.0) {
            return Err(LearnError::param(
                "validation_fraction",
                "must be in (0, 1)",
            ));
        }
        if self.n_iter_no_change == 0 {
            return Err(LearnError::param("n_iter_no_change", "must be ≥ 1"));
        }
        if !(self.tol >= 0.0 && self.tol.is_finite()) {
            return Err(LearnError::param("tol", "must be ≥ 0"));
        }
        Ok(())
    }
}

/// Where the residuals behind the interval came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum IntervalSource {
    /// The held-out validation split (split-conformal; honest coverage).
    Validation,
    /// The training rows (no split was held out; intervals are optimistic).
    Training,
}

/// A fitted gradient-boosted regressor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradientBoosting {
    /// Number of features it was fitted on.
    pub n_features: usize,
    /// Initial prediction (the training mean).
    pub baseline: f64,
    /// The trees (leaf values already include the learning rate).
    pub trees: Vec<Tree>,
    /// Total split gain per feature, summing to 1 (all 0 when no tree split).
    pub feature_importances: Vec<f64>,
    /// Validation loss (mean squared error) after each iteration (empty without early stopping).
    pub validation_loss: Vec<f64>,
    /// Sorted absolute residuals behind the interval.
    pub residuals: Vec<f64>,
    /// Where the residuals came from.
    pub interval_source: IntervalSource,
    /// The parameters it was fitted with.
    pub params: GbdtParams,
}

impl GradientBoosting {
    /// Fit on a row-major `n × p` matrix `x` and targets `y`.
    ///
    /// Errors: invalid parameters, an empty training set, non-finite features or targets. A
    /// constant target gives a model that predicts it (trees without splits).
    ///
    /// ```
    /// use edupulse_learn::{GbdtParams, GradientBoosting};
    /// let x: Vec<f64> = (0..400).map(|i| (i % 40) as f64).collect();
    /// let y: Vec<f64> = x.iter().map(|v| v * 2.0).collect();
    /// let m = GradientBoosting::fit(&x, 1, &y, &GbdtParams::default()).unwrap();
    /// let p = m.predict(&[10.0], 1).unwrap();
    /// assert!((p[0] - 20.0).abs() < 1.0);
    /// ```
    pub fn fit(x: &[f64], p: usize, y: &[f64], params: &GbdtParams) -> Result<GradientBoosting> {
        params.validate()?;
        let n = check_matrix(x, p, Some(y))?;
        let mut order: Vec<usize> = (0..n).collect();
        let n_val = if params.early_stopping && n >= 2 {
            ((params.validation_fraction * n as f64).ceil() as usize).clamp(1, n - 1)
        } else {
            0
        };
        if n_val > 0 {
            order.shuffle(&mut ChaCha8Rng::seed_from_u64(params.seed));
        }
        let (val_idx, train_idx) = order.split_at(n_val);
        let mut train_idx = train_idx.to_vec();
        train_idx.sort_unstable();
        let xt: Vec<f64> = train_idx
            .iter()
            .flat_map(|&i| x[i * p..(i + 1) * p].iter().copied())
            .collect();
        let yt: Vec<f64> = train_idx.iter().map(|&i| y[i]).collect();
        let nt = yt.len();
        let grower = Grower::new(&xt, nt, p, params.max_bins);
        let baseline = SquaredError.baseline(&yt);
        let gp = GrowParams {
            max_depth: params.max_depth,
            max_leaf_nodes: params.max_leaf_nodes,
            min_samples_leaf: params.min_samples_leaf,
            lambda: params.l2,
            max_features: p,
            min_child_weight: 0.0,
        };
        let mut f = vec![baseline; nt];
        let mut fv: Vec<f64> = vec![baseline; n_val];
        let mut h = vec![1.0; nt];
        let mut g = vec![0.0; nt];
        let mut trees: Vec<Tree> = Vec::new();
        let mut gains_per_tree: Vec<Vec<f64>> = Vec::new();
        let mut val_loss: Vec<f64> = Vec::new();
        let mut rows: Vec<u32> = (0..nt as u32).collect();
        // The interval's residuals without walking every tree again after the fit: the sum of the
        // trees' values on each training row (no early stopping) or each validation row, added
        // up from zero in tree order exactly as `predict` adds them, so `baseline + sum` is bit
        // for bit what `predict` returns (`f` and `fv` start at the baseline instead and drive
        // the gradients and the stopping rule).
        let mut tree_sum = vec![0.0; if n_val > 0 { n_val } else { nt }];
        let mut best_sum: Vec<f64> = Vec::new();
        // (iteration, loss) of the first least validation loss: the model keeps trees up to it.
        let mut best: Option<(usize, f64)> = None;
        for _ in 0..params.max_iter {
            let grown = boost_round(
                &grower,
                &SquaredError,
                &yt,
                &mut f,
                (&mut g, &mut h),
                &mut rows,
                &gp,
                params.learning_rate,
            );
            let mut tree = grown.tree;
            for node in &mut tree.nodes {
                node.value *= params.learning_rate;
            }
            if n_val == 0 {
                // Training rows of each leaf: the ranges of `rows` the grower left.
                for &(id, a, b) in &grown.leaves {
                    let v = tree.nodes.get(id).map_or(0.0, |n| n.value);
                    for &r in &rows[a..b] {
                        tree_sum[r as usize] += v;
                    }
                }
            }
            let split = tree.nodes.len() > 1;
            trees.push(tree);
            gains_per_tree.push(grown.gains);
            crate::progress::tick(trees.len(), params.max_iter)?;
            if n_val > 0 {
                let mut loss = 0.0;
                if let Some(tree) = trees.last() {
                    for (k, &i) in val_idx.iter().enumerate() {
                        let t = tree.predict(&x[i * p..(i + 1) * p]);
                        fv[k] += t;
                        tree_sum[k] += t;
                        let e = fv[k] - y[i];
                        loss += e * e;
                    }
                }
                let loss = loss / n_val as f64;
                if best.is_none_or(|(_, b)| loss.total_cmp(&b).is_lt()) {
                    best = Some((val_loss.len(), loss));
                    best_sum.clone_from(&tree_sum);
                }
                val_loss.push(loss);
                let m = params.n_iter_no_change;
                if val_loss.len() > m {
                    let reference = val_loss[val_loss.len() - 1 - m];
                    let recent = &val_loss[val_loss.len() - m..];
                    if recent
                        .iter()
                        .all(|l| *l >= reference - params.tol * reference.abs())
                    {
                        break;
                    }
                }
            }
            if !split {
                break;
            }
        }
        if let Some((k, _)) = best {
            trees.truncate(k + 1);
            gains_per_tree.truncate(k + 1);
        }
        let mut importances = vec![0.0; p];
        for gains in &gains_per_tree {
            for (a, b) in importances.iter_mut().zip(gains) {
                *a += b;
            }
        }
        normalise(&mut importances);
        let mut model = GradientBoosting {
            n_features: p,
            baseline,
            trees,
            feature_importances: importances,
            validation_loss: val_loss,
            residuals: Vec::new(),
            interval_source: if n_val > 0 {
                IntervalSource::Validation
            } else {
                IntervalSource::Training
            },
            params: params.clone(),
        };
        let (sums, ry): (&[f64], Vec<f64>) = if n_val > 0 {
            (&best_sum, val_idx.iter().map(|&i| y[i]).collect())
        } else {
            (&tree_sum, yt)
        };
        let mut res: Vec<f64> = sums
            .iter()
            .zip(&ry)
            .map(|(s, y)| (baseline + s - y).abs())
            .collect();
        res.sort_by(f64::total_cmp);
        model.residuals = res;
        Ok(model)
    }

    /// Predictions for each row of a row-major matrix with `p` columns.
    pub fn predict(&self, x: &[f64], p: usize) -> Result<Vec<f64>> {
        check_predict(x, p, self.n_features)?;
        Ok(x.chunks_exact(p)
            .map(|row| self.baseline + self.trees.iter().map(|t| t.predict(row)).sum::<f64>())
            .collect())
    }

    /// The half-width of the `1 − alpha` interval: the conformal quantile of the absolute
    /// residuals (`⌈(m+1)(1−α)⌉`-th smallest of `m`).
    pub fn interval_half_width(&self, alpha: f64) -> Result<f64> {
        check_alpha(alpha)?;
        let m = self.residuals.len();
        if m == 0 {
            return Ok(0.0);
        }
        let k = (((m + 1) as f64) * (1.0 - alpha)).ceil() as usize;
        Ok(self.residuals[k.clamp(1, m) - 1])
    }

    /// Point predictions with `1 − alpha` prediction intervals (split-conformal).
    pub fn predict_interval(
        &self,
        x: &[f64],
        p: usize,
        alpha: f64,
    ) -> Result<Vec<PredictionInterval>> {
        let w = self.interval_half_width(alpha)?;
        Ok(self
            .predict(x, p)?
            .into_iter()
            .map(|m| PredictionInterval {
                prediction: m,
                lower: m - w,
                upper: m + w,
            })
            .collect())
    }
}
