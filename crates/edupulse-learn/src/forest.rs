//! Random-forest regression over histogram trees (the demand capability's model, after the
//! source's choice), with quantile-regression-forest prediction intervals and impurity-based
//! feature importances.
//!
//! Each tree is grown on a bootstrap sample (as sample weights) to full depth unless `max_depth`
//! or `min_samples_leaf` stop it, examining `max_features` features at each split — the recipe of
//! scikit-learn's `RandomForestRegressor`, with splits searched over at most 256 bins per feature
//! (exact when a feature has at most 256 distinct values). Trees are grown in parallel on
//! `n_jobs` threads; tree `i` draws from its own ChaCha stream, so results do not depend on the
//! thread count.
//!
//! Intervals follow Meinshausen's quantile regression forest: the training targets (all rows, in
//! bag or not) that share a leaf with the query row, each weighted by 1/leaf size and averaged
//! over trees, give a conditional distribution whose `α/2` and `1−α/2` quantiles bound the
//! prediction.

use super::regress::{
    check_matrix, check_predict, leaf_index, normalise, weighted_quantile, GrowParams, Grower,
};
use super::tree::Tree;
use crate::error::{LearnError, Result};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// How many features a split examines.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MaxFeatures {
    /// All features (scikit-learn's regressor default, `max_features=1.0`).
    #[default]
    All,
    /// `⌈√p⌉`.
    Sqrt,
    /// `⌈log₂ p⌉`.
    Log2,
    /// `⌈f · p⌉` for `f` in (0, 1].
    Fraction(f64),
    /// A fixed count (capped at p).
    Count(usize),
}

impl MaxFeatures {
    /// The number of features for `p` columns (at least 1).
    pub fn resolve(&self, p: usize) -> usize {
        let pf = p as f64;
        let m = match *self {
            MaxFeatures::All => p,
            MaxFeatures::Sqrt => pf.sqrt().ceil() as usize,
            MaxFeatures::Log2 => pf.log2().ceil() as usize,
            MaxFeatures::Fraction(f) => (f * pf).ceil() as usize,
            MaxFeatures::Count(c) => c,
        };
        m.clamp(1, p.max(1))
    }
}

/// Parameters of [`RandomForest::fit`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ForestParams {
    /// Number of trees.
    pub n_trees: usize,
    /// Maximum depth (`None` = grow until leaves are pure or `min_samples_leaf` stops them).
    pub max_depth: Option<usize>,
    /// Minimum distinct training rows in each leaf.
    pub min_samples_leaf: usize,
    /// Features examined at each split.
    pub max_features: MaxFeatures,
    /// Draw a bootstrap sample for each tree (otherwise every tree sees every row).
    pub bootstrap: bool,
    /// Maximum histogram bins per feature (2–256).
    pub max_bins: usize,
    /// Seed of the bootstrap samples and feature draws.
    pub seed: u64,
    /// Worker threads (0 = the process budget, [`crate::parallel::num_threads`]; never more).
    pub n_jobs: usize,
}

impl Default for ForestParams {
    fn default() -> Self {
        ForestParams {
            n_trees: 100,
            max_depth: None,
            min_samples_leaf: 1,
            max_features: MaxFeatures::All,
            bootstrap: true,
            max_bins: 256,
            seed: 42,
            n_jobs: 0,
        }
    }
}

impl ForestParams {
    /// Check the parameters.
    pub fn validate(&self) -> Result<()> {
        if self.n_trees == 0 {
            return Err(LearnError::param("n_trees", "must be ≥ 1"));
        }
        if self.max_depth == Some(0) {
            return Err(LearnError::param("max_depth", "must be ≥ 1 (or None)"));
        }
        if self.min_samples_leaf == 0 {
            return Err(LearnError::param("min_samples_leaf", "must be ≥ 1"));
        }
        if !(2..=256).contains(&self.max_bins) {
            return Err(LearnError::param("max_bins", "must be in 2..=256"));
        }
        match self.max_features {
            MaxFeatures::Fraction(f) if !(f > 0.0 && f <= 1.0) => Err(LearnError::param(
                "max_features",
                "a fraction must be in (0, 1]",
            )),
            MaxFeatures::Count(0) => Err(LearnError::param("max_features", "must be ≥ 1")),
            _ => Ok(()),
        }
    }
}

/// A prediction with its interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PredictionInterval {
    /// Point prediction.
    pub prediction: f64,
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
}

/// One fitted tree with the in-bag targets of its leaves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForestTree {
    /// The tree (leaf values are weighted means of in-bag targets).
    pub tree: Tree,
    /// `leaf_values[leaf_offsets[k]..leaf_offsets[k + 1]]` are the targets of the training rows
    /// that fall into node `k` (empty for internal nodes).
    pub leaf_offsets: Vec<u32>,
    /// Training targets grouped by leaf.
    pub leaf_values: Vec<f64>,
}

impl ForestTree {
    fn leaf_targets(&self, node: usize) -> &[f64] {
        match (self.leaf_offsets.get(node), self.leaf_offsets.get(node + 1)) {
            (Some(&a), Some(&b)) => self.leaf_values.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// A fitted random forest regressor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RandomForest {
    /// Number of features it was fitted on.
    pub n_features: usize,
    /// The trees.
    pub trees: Vec<ForestTree>,
    /// Mean decrease of impurity per feature, summing to 1 (all 0 when no tree split).
    pub feature_importances: Vec<f64>,
    /// The parameters it was fitted with.
    pub params: ForestParams,
}

impl RandomForest {
    /// Fit on a row-major `n × p` matrix `x` and targets `y`.
    ///
    /// Errors: invalid parameters, an empty training set, non-finite features or targets (named
    /// by row and feature). A constant target gives single-leaf trees that predict it, with an
    /// interval of zero width.
    ///
    /// ```
    /// use edupulse_learn::{ForestParams, RandomForest};
    /// let x: Vec<f64> = (0..200).map(|i| (i % 20) as f64).collect();
    /// let y: Vec<f64> = x.iter().map(|v| if *v < 10.0 { 1.0 } else { 5.0 }).collect();
    /// let f = RandomForest::fit(&x, 1, &y, &ForestParams { n_trees: 10, ..Default::default() }).unwrap();
    /// let p = f.predict(&[3.0, 15.0], 1).unwrap();
    /// assert!((p[0] - 1.0).abs() < 1e-9 && (p[1] - 5.0).abs() < 1e-9);
    /// ```
    pub fn fit(x: &[f64], p: usize, y: &[f64], params: &ForestParams) -> Result<RandomForest> {
        params.validate()?;
        let n = check_matrix(x, p, Some(y))?;
        let grower = Grower::new(x, n, p, params.max_bins);
        let gp = GrowParams {
            max_depth: params.max_depth,
            max_leaf_nodes: None,
            min_samples_leaf: params.min_samples_leaf,
            lambda: 0.0,
            max_features: params.max_features.resolve(p),
            min_child_weight: 0.0,
        };
        // Progress: one tick per grown tree; once cancelled, the remaining trees are skipped.
        let grown_trees = std::sync::atomic::AtomicUsize::new(0);
        let stop = std::sync::atomic::AtomicBool::new(false);
        let fitted = crate::parallel::map_with(params.n_jobs, params.n_trees, |t| {
            if stop.load(std::sync::atomic::Ordering::Relaxed) {
                return None;
            }
            let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
            rng.set_stream(t as u64);
            let mut w = vec![0.0f64; grower.n_rows()];
            if params.bootstrap {
                for _ in 0..n {
                    w[rng.gen_range(0..n)] += 1.0;
                }
            } else {
                w.iter_mut().for_each(|v| *v = 1.0);
            }
            let g: Vec<f64> = w.iter().zip(y).map(|(w, y)| -w * y).collect();
            let mut rows: Vec<u32> = (0..n as u32).filter(|&i| w[i as usize] > 0.0).collect();

            let grown = grower.grow(&g, &w, &mut rows, &gp, Some(&mut rng));
            // Meinshausen: every training row (each once) dropped down the tree.
            let n_nodes = grown.tree.nodes.len();
            let mut by_node: Vec<Vec<f64>> = vec![Vec::new(); n_nodes];
            for (row, &yi) in x.chunks_exact(p).zip(y) {
                if let Some(v) = by_node.get_mut(leaf_index(&grown.tree, row)) {
                    v.push(yi);
                }
            }
            let mut offsets = vec![0u32; n_nodes + 1];
            let mut values = Vec::with_capacity(n);
            for (k, v) in by_node.iter().enumerate() {
                values.extend_from_slice(v);
                offsets[k + 1] = values.len() as u32;
            }
            let mut gains = grown.gains;
            normalise(&mut gains);
            let done = grown_trees.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            if crate::progress::tick(done, params.n_trees).is_err() {
                stop.store(true, std::sync::atomic::Ordering::Relaxed);
                return None;
            }
            Some((
                ForestTree {
                    tree: grown.tree,
                    leaf_offsets: offsets,
                    leaf_values: values,
                },
                gains,
            ))
        });
        let fitted: Vec<(ForestTree, Vec<f64>)> = fitted
            .into_iter()
            .collect::<Option<_>>()
            .ok_or(LearnError::Cancelled)?;
        let mut importances = vec![0.0; p];
        for (_, gains) in &fitted {
            for (a, b) in importances.iter_mut().zip(gains) {
                *a += b;
            }
        }
        normalise(&mut importances);
        Ok(RandomForest {
            n_features: p,
            trees: fitted.into_iter().map(|f| f.0).collect(),
            feature_importances: importances,
            params: params.clone(),
        })
    }

    /// Mean prediction of the trees for each row of a row-major matrix with `p` columns.
    pub fn predict(&self, x: &[f64], p: usize) -> Result<Vec<f64>> {
        check_predict(x, p, self.n_features)?;
        let k = self.trees.len().max(1) as f64;
        Ok(x.chunks_exact(p)
            .map(|row| self.trees.iter().map(|t| t.tree.predict(row)).sum::<f64>() / k)
            .collect())
    }

    /// Every tree's prediction for every row: `out[row][tree]`.
    pub fn tree_predictions(&self, x: &[f64], p: usize) -> Result<Vec<Vec<f64>>> {
        check_predict(x, p, self.n_features)?;
        Ok(x.chunks_exact(p)
            .map(|row| self.trees.iter().map(|t| t.tree.predict(row)).collect())
            .collect())
    }

    /// Conditional quantiles `qs` (each in [0, 1]) of the target for each row (quantile
    /// regression forest): `out[row][k]` for `qs[k]`.
    pub fn predict_quantiles(&self, x: &[f64], p: usize, qs: &[f64]) -> Result<Vec<Vec<f64>>> {
        check_predict(x, p, self.n_features)?;
        if let Some(q) = qs.iter().find(|q| !(0.0..=1.0).contains(*q)) {
            return Err(LearnError::param(
                "quantile",
                format!("{q} is not in [0, 1]"),
            ));
        }
        let mut pairs: Vec<(f64, f64)> = Vec::new();
        Ok(x.chunks_exact(p)
            .map(|row| {
                pairs.clear();
                for t in &self.trees {
                    let vals = t.leaf_targets(leaf_index(&t.tree, row));
                    let w = 1.0 / vals.len().max(1) as f64;
                    pairs.extend(vals.iter().map(|v| (*v, w)));
                }
                qs.iter()
                    .map(|q| weighted_quantile(&mut pairs, *q))
                    .collect()
            })
            .collect())
    }

    /// Point predictions with `1 − alpha` prediction intervals (quantile regression forest).
    pub fn predict_interval(
        &self,
        x: &[f64],
        p: usize,
        alpha: f64,
    ) -> Result<Vec<PredictionInterval>> {
        check_alpha(alpha)?;
        let point = self.predict(x, p)?;
        let q = self.predict_quantiles(x, p, &[alpha / 2.0, 1.0 - alpha / 2.0])?;
        Ok(point
            .into_iter()
            .zip(q)
            .map(|(m, q)| {
                let lo = q.first().copied().unwrap_or(m);
                let hi = q.get(1).copied().unwrap_or(m);
                PredictionInterval {
                    prediction: m,
                    lower: lo.min(m),
                    upper: hi.max(m),
                }
            })
            .collect())
    }
}

/// Check a miscoverage level `alpha` in (0, 1).
pub(crate) fn check_alpha(alpha: f64) -> Result<()> {
    if alpha > 0.0 && alpha < 1.0 {
        Ok(())
    } else {
        Err(LearnError::param("alpha", "must be in (0, 1)"))
    }
}
