//! The fitted tree ([`Tree`], [`Node`]), the quantile binning of features ([`Binned`]) and the
//! classifier's gradient boosting on log loss ([`Boosted`]).
//!
//! Trees are grown by the crate's one histogram grower (`regress`) with XGBoost-style leaf
//! weights `−G/(H+λ)`; here they are boosting steps of a classifier on the [`LogLoss`]
//! objective. Features are binned once into at most `max_bins` quantile bins.

use crate::regress::{boost_round, GrowParams, Grower, LogLoss, Objective};
use serde::{Deserialize, Serialize};

/// Parameters of one tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TreeParams {
    /// Maximum depth (root = 0).
    pub max_depth: usize,
    /// Minimum Hessian sum (≈ rows for squared loss) in each child.
    pub min_child_weight: f64,
    /// L2 penalty on leaf values.
    pub lambda: f64,
    /// Maximum histogram bins per feature (≤ 256).
    pub max_bins: usize,
}

impl Default for TreeParams {
    fn default() -> Self {
        TreeParams {
            max_depth: 2,
            min_child_weight: 20.0,
            lambda: 1.0,
            max_bins: 64,
        }
    }
}

/// A row-major matrix binned per feature.
#[derive(Debug, Clone)]
pub struct Binned {
    n: usize,
    p: usize,
    /// Column-major bin codes.
    codes: Vec<u8>,
    /// Upper edge (inclusive) of every bin but the last, per feature.
    edges: Vec<Vec<f64>>,
}

impl Binned {
    /// Bin a row-major `n × p` matrix.
    pub fn new(x: &[f64], n: usize, p: usize, max_bins: usize) -> Binned {
        let max_bins = max_bins.clamp(2, 256);
        let mut codes = vec![0u8; n * p];
        let mut edges = Vec::with_capacity(p);
        for j in 0..p {
            let mut vals: Vec<f64> = (0..n).map(|i| x[i * p + j]).collect();
            vals.sort_by(f64::total_cmp);
            vals.dedup();
            let e: Vec<f64> = if vals.len() <= max_bins {
                vals.windows(2).map(|w| 0.5 * (w[0] + w[1])).collect()
            } else {
                let mut e: Vec<f64> = (1..max_bins)
                    .map(|k| {
                        let idx = k * vals.len() / max_bins;
                        0.5 * (vals[idx - 1] + vals[idx])
                    })
                    .collect();
                e.dedup();
                e
            };
            for i in 0..n {
                let v = x[i * p + j];
                codes[j * n + i] = e.partition_point(|&t| t < v) as u8;
            }
            edges.push(e);
        }
        Binned { n, p, codes, edges }
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.n
    }

    /// Number of features.
    pub fn n_features(&self) -> usize {
        self.p
    }

    /// Bin codes of feature `j` (one per row; empty when `j` is out of range).
    pub fn codes(&self, j: usize) -> &[u8] {
        self.codes.get(j * self.n..(j + 1) * self.n).unwrap_or(&[])
    }

    /// Upper edges (inclusive) of every bin of feature `j` but the last (empty when `j` is out of
    /// range); feature `j` has `edges(j).len() + 1` bins.
    pub fn edges(&self, j: usize) -> &[f64] {
        self.edges.get(j).map_or(&[], Vec::as_slice)
    }
}

/// A tree node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// Split feature (`usize::MAX` for a leaf).
    pub feature: usize,
    /// Rows with `x[feature] <= threshold` go left.
    pub threshold: f64,
    /// Left child index.
    pub left: usize,
    /// Right child index.
    pub right: usize,
    /// Value of the node (the leaf value it would have; used for path contributions).
    pub value: f64,
}

/// A fitted regression tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tree {
    /// Nodes; 0 is the root.
    pub nodes: Vec<Node>,
}

impl Tree {
    /// Prediction for one row.
    pub fn predict(&self, row: &[f64]) -> f64 {
        let mut i = 0;
        loop {
            let n = &self.nodes[i];
            if n.feature == usize::MAX {
                return n.value;
            }
            i = if row[n.feature] <= n.threshold {
                n.left
            } else {
                n.right
            };
        }
    }

    /// Add the path contributions of one row (Saabas: the change of node value at each split,
    /// credited to the split feature) to `out`; returns the root value (the bias).
    pub fn contributions(&self, row: &[f64], scale: f64, out: &mut [f64]) -> f64 {
        let mut i = 0;
        loop {
            let n = &self.nodes[i];
            if n.feature == usize::MAX {
                return self.nodes[0].value * scale;
            }
            let next = if row[n.feature] <= n.threshold {
                n.left
            } else {
                n.right
            };
            out[n.feature] += (self.nodes[next].value - n.value) * scale;
            i = next;
        }
    }
}

/// Parameters of gradient boosting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BoostParams {
    /// Number of trees.
    pub n_trees: usize,
    /// Shrinkage of each tree.
    pub learning_rate: f64,
    /// Parameters of each tree.
    pub tree: TreeParams,
}

impl Default for BoostParams {
    fn default() -> Self {
        BoostParams {
            n_trees: 300,
            learning_rate: 0.05,
            tree: TreeParams::default(),
        }
    }
}

/// Gradient-boosted trees for binary log loss (scores are log-odds).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Boosted {
    /// Initial log-odds.
    pub base: f64,
    /// Shrinkage applied to every tree.
    pub learning_rate: f64,
    /// The trees.
    pub trees: Vec<Tree>,
}

impl Boosted {
    /// Fit on a row-major `n × p` matrix (the grower with the [`LogLoss`] objective, depth-first
    /// to `max_depth`, every feature at every split).
    pub fn fit_logloss(x: &[f64], p: usize, y: &[bool], params: &BoostParams) -> Boosted {
        let n = y.len();
        let yf: Vec<f64> = y.iter().map(|&v| if v { 1.0 } else { 0.0 }).collect();
        let base = LogLoss.baseline(&yf);
        let mut f = vec![base; n];
        let mut g = vec![0.0; n];
        let mut h = vec![0.0; n];
        let grower = Grower::new(x, n, p, params.tree.max_bins);
        let mut rows: Vec<u32> = (0..n as u32).collect();
        // On small data the root's Hessian sum (n·p·(1−p)) can be below twice `min_child_weight`:
        // no split would ever be allowed and the model would silently be a constant. There the
        // minimum is capped at a quarter of the root's Hessian (so a split is always possible);
        // data large enough for the configured minimum are unaffected.
        let rate = 1.0 / (1.0 + (-base).exp());
        let root_hessian = n as f64 * rate * (1.0 - rate);
        let gp = GrowParams {
            max_depth: Some(params.tree.max_depth),
            max_leaf_nodes: None,
            min_samples_leaf: 1,
            lambda: params.tree.lambda,
            max_features: p,
            min_child_weight: params.tree.min_child_weight.min(root_hessian / 4.0),
        };
        let mut trees = Vec::with_capacity(params.n_trees);
        for round in 0..params.n_trees {
            // Cancelled: stop adding rounds; the caller's next fallible step reports it.
            if crate::progress::tick(round, params.n_trees).is_err() {
                break;
            }
            let grown = boost_round(
                &grower,
                &LogLoss,
                &yf,
                &mut f,
                (&mut g, &mut h),
                &mut rows,
                &gp,
                params.learning_rate,
            );
            trees.push(grown.tree);
        }
        Boosted {
            base,
            learning_rate: params.learning_rate,
            trees,
        }
    }

    /// Log-odds of one row.
    pub fn decision(&self, row: &[f64]) -> f64 {
        self.base + self.learning_rate * self.trees.iter().map(|t| t.predict(row)).sum::<f64>()
    }

    /// Per-feature contributions of one row into `out`; returns the bias (so that
    /// `bias + Σ out = decision`).
    pub fn contributions(&self, row: &[f64], out: &mut [f64]) -> f64 {
        let mut bias = self.base;
        for t in &self.trees {
            bias += t.contributions(row, self.learning_rate, out);
        }
        bias
    }
}
