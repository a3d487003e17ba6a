//! The one histogram tree grower of the crate: it grows the trees of
//! [`RandomForest`](super::RandomForest), [`GradientBoosting`](super::GradientBoosting) and the
//! classifier's [`Boosted`](super::Boosted) trees.
//!
//! It decides, for one tree, which feature and threshold split each node and the value of every
//! leaf, from binned features and per-row loss derivatives supplied by an [`Objective`]
//! ([`SquaredError`] for regression, [`LogLoss`] for the boosted classifier).
//!
//! Rows carry first and second derivatives `g`, `h` of a loss; a node's value is `−G/(H+λ)` and a
//! split's gain is `G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)`. With `g = −w·y`, `h = w` and `λ = 0`
//! this is an ordinary weighted least-squares tree (value = weighted mean, gain = decrease of the
//! weighted sum of squares), which is what the forest grows; with `g = f − y`, `h = 1` it is a
//! boosting step on squared loss.
//!
//! Features are binned once by [`Binned`] (at most 256 quantile bins; a feature with at most 256
//! distinct values is binned exactly). Histograms of (G, H, count) per bin are built for the
//! smaller child only; the larger child's is the parent's minus the smaller's. Nodes grow depth
//! first when the number of leaves is unbounded, best first (largest gain) when it is bounded.
//! `max_features` features are drawn (without replacement) at each split when fewer than all.
//! A child needs `min_samples_leaf` rows and a Hessian sum of at least `min_child_weight`.

use super::tree::{Binned, Node, Tree};
use crate::error::{LearnError, Result};
use crate::logistic::sigmoid;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Pseudo-table name used in validation errors about feature matrices.
pub(crate) const MATRIX: &str = "X";

/// Check a row-major `n × p` matrix (finite values) and, when given, its targets (finite, `n` of
/// them). Returns `n`.
pub(crate) fn check_matrix(x: &[f64], p: usize, y: Option<&[f64]>) -> Result<usize> {
    if p == 0 {
        return Err(LearnError::validation(MATRIX, None, None, "no features"));
    }
    if !x.len().is_multiple_of(p) {
        return Err(LearnError::validation(
            MATRIX,
            None,
            None,
            format!("{} values do not make rows of {p} features", x.len()),
        ));
    }
    let n = x.len() / p;
    if let Some(k) = x.iter().position(|v| !v.is_finite()) {
        let what = if x[k].is_nan() { "NaN" } else { "infinite" };
        return Err(LearnError::validation(
            MATRIX,
            Some(k / p + 1),
            Some(&format!("feature {}", k % p)),
            format!("{what} value (features must be finite)"),
        ));
    }
    if let Some(y) = y {
        if y.len() != n {
            return Err(LearnError::validation(
                "y",
                None,
                None,
                format!("{} targets for {n} rows", y.len()),
            ));
        }
        if let Some(k) = y.iter().position(|v| !v.is_finite()) {
            return Err(LearnError::validation(
                "y",
                Some(k + 1),
                Some("y"),
                "target must be finite",
            ));
        }
        if n == 0 {
            return Err(LearnError::validation(
                MATRIX,
                None,
                None,
                "empty training set",
            ));
        }
    }
    Ok(n)
}

/// Check the width of a prediction matrix against the fitted number of features.
pub(crate) fn check_predict(x: &[f64], p: usize, fitted: usize) -> Result<usize> {
    if p != fitted {
        return Err(LearnError::validation(
            MATRIX,
            None,
            None,
            format!("{p} features, the model was fitted on {fitted}"),
        ));
    }
    check_matrix(x, p, None)
}

/// Parameters of one grown tree.
#[derive(Debug, Clone)]
pub(crate) struct GrowParams {
    pub max_depth: Option<usize>,
    pub max_leaf_nodes: Option<usize>,
    pub min_samples_leaf: usize,
    pub lambda: f64,
    /// Features examined at each split (≤ p).
    pub max_features: usize,
    /// Minimum Hessian sum in each child (0 = no minimum).
    pub min_child_weight: f64,
}

/// A twice-differentiable loss the boosted trees descend: per-row first and second derivatives
/// of the loss at the current raw scores.
pub trait Objective {
    /// The constant raw score before any tree (the loss minimiser over all rows).
    fn baseline(&self, y: &[f64]) -> f64;
    /// Derivatives `g[i]`, `h[i]` of the loss of row `i` at raw score `f[i]` (`h > 0`).
    fn gradients(&self, y: &[f64], f: &[f64], g: &mut [f64], h: &mut [f64]);
}

/// Squared error `½(f − y)²`: `g = f − y`, `h = 1`; the baseline is the mean.
#[derive(Debug, Clone, Copy, Default)]
pub struct SquaredError;

impl Objective for SquaredError {
    fn baseline(&self, y: &[f64]) -> f64 {
        y.iter().sum::<f64>() / y.len().max(1) as f64
    }
    fn gradients(&self, y: &[f64], f: &[f64], g: &mut [f64], h: &mut [f64]) {
        for (((g, h), f), y) in g.iter_mut().zip(h.iter_mut()).zip(f).zip(y) {
            *g = f - y;
            *h = 1.0;
        }
    }
}

/// Binary log loss on log-odds scores, targets 0 or 1: `g = σ(f) − y`, `h = σ(f)(1 − σ(f))`; the
/// baseline is the log-odds of the positive rate.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogLoss;

impl Objective for LogLoss {
    fn baseline(&self, y: &[f64]) -> f64 {
        let rate = (y.iter().sum::<f64>() / y.len().max(1) as f64).clamp(1e-6, 1.0 - 1e-6);
        (rate / (1.0 - rate)).ln()
    }
    fn gradients(&self, y: &[f64], f: &[f64], g: &mut [f64], h: &mut [f64]) {
        for (((g, h), f), y) in g.iter_mut().zip(h.iter_mut()).zip(f).zip(y) {
            let mu = sigmoid(*f);
            *g = mu - y;
            *h = (mu * (1.0 - mu)).max(1e-12);
        }
    }
}

/// The binned training matrix in the layouts the grower reads: row-major codes (histograms read
/// every feature of a row), column-major codes (partitions read one feature of many rows), bin
/// offsets.
pub(crate) struct Grower {
    n: usize,
    p: usize,
    codes: Vec<u8>,
    cols: Vec<u8>,
    offsets: Vec<usize>,
    /// Smallest and largest training value of every bin (indexed like histograms).
    bin_min: Vec<f64>,
    bin_max: Vec<f64>,
}

#[derive(Clone, Copy, Default)]
struct Bin {
    g: f64,
    h: f64,
    c: u32,
}

#[derive(Clone, Copy)]
struct Split {
    gain: f64,
    feature: usize,
    /// Bins ≤ `bin` go left; `next` is the first bin on the right that has rows.
    bin: usize,
    next: usize,
    gl: f64,
    hl: f64,
}

/// Nodes with at most this many rows find their split by sorting rows, not by histograms.
const SMALL: usize = 12;

/// The running best split of one node.
struct Search {
    g: f64,
    h: f64,
    count: usize,
    lambda: f64,
    parent: f64,
    msl: usize,
    mcw: f64,
    best: Option<Split>,
}

impl Search {
    fn new(g: f64, h: f64, count: usize, params: &GrowParams) -> Search {
        Search {
            g,
            h,
            count,
            lambda: params.lambda,
            parent: g * g / (h + params.lambda),
            msl: params.min_samples_leaf.max(1),
            mcw: params.min_child_weight.max(0.0),
            best: None,
        }
    }

    /// Consider the split "bins ≤ bin go left" with left sums `gl`, `hl`, `cl`; returns false
    /// once the right side is too small for any larger bin.
    #[inline]
    fn consider(
        &mut self,
        feature: usize,
        (bin, next): (usize, usize),
        (gl, hl, cl): (f64, f64, usize),
    ) -> bool {
        if cl < self.msl {
            return true;
        }
        if self.count - cl < self.msl {
            return false;
        }
        let (gr, hr) = (self.g - gl, self.h - hl);
        // Hessians are non-negative: once the right side is too light, larger bins are too.
        if hr < self.mcw {
            return false;
        }
        if hl <= 0.0 || hr <= 0.0 || hl < self.mcw {
            return true;
        }
        let gain = gl * gl / (hl + self.lambda) + gr * gr / (hr + self.lambda) - self.parent;
        if gain > 1e-10 * self.parent.abs().max(1e-300) && self.best.is_none_or(|s| gain > s.gain) {
            self.best = Some(Split {
                gain,
                feature,
                bin,
                next,
                gl,
                hl,
            });
        }
        true
    }
}

struct Pending {
    id: usize,
    start: usize,
    end: usize,
    depth: usize,
    g: f64,
    h: f64,
    hist: Option<Vec<Bin>>,
    split: Option<Split>,
}

/// A grown tree with the row range of every leaf in the grower's row order.
pub(crate) struct Grown {
    pub tree: Tree,
    /// Gain credited to each feature.
    pub gains: Vec<f64>,
    /// (leaf node id, start, end) in `rows`.
    pub leaves: Vec<(usize, usize, usize)>,
}

impl Grower {
    /// Bin a checked row-major `n × p` matrix.
    pub fn new(x: &[f64], n: usize, p: usize, max_bins: usize) -> Grower {
        let b = Binned::new(x, n, p, max_bins);
        let mut codes = vec![0u8; n * p];
        let mut offsets = Vec::with_capacity(p + 1);
        let mut off = 0;
        for j in 0..p {
            offsets.push(off);
            off += b.edges(j).len() + 1;
        }
        offsets.push(off);
        let mut bin_min = vec![f64::INFINITY; off];
        let mut bin_max = vec![f64::NEG_INFINITY; off];
        for (j, &o) in offsets.iter().take(p).enumerate() {
            for (i, &c) in b.codes(j).iter().enumerate() {
                codes[i * p + j] = c;
                let v = x[i * p + j];
                let k = o + c as usize;
                bin_min[k] = bin_min[k].min(v);
                bin_max[k] = bin_max[k].max(v);
            }
        }
        let cols = (0..p).flat_map(|j| b.codes(j).iter().copied()).collect();
        Grower {
            n,
            p,
            codes,
            cols,
            offsets,
            bin_min,
            bin_max,
        }
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.n
    }

    fn n_bins(&self) -> usize {
        self.offsets.last().copied().unwrap_or(0)
    }

    /// Accumulate the histogram of `rows` into `out` (all zero on entry). With `unit_h` (every
    /// row's `h` is 1, as for squared error) the Hessian sums are not accumulated but set to the
    /// counts afterwards: sums of ones are exact, so the result is bit for bit the same.
    fn hist_into(&self, (g, h): (&[f64], &[f64]), rows: &[u32], unit_h: bool, out: &mut [Bin]) {
        let p = self.p;
        let offsets = &self.offsets[..p];
        if unit_h {
            for &r in rows {
                let r = r as usize;
                let gr = g[r];
                let codes = &self.codes[r * p..(r + 1) * p];
                for (&c, &off) in codes.iter().zip(offsets) {
                    let b = &mut out[off + c as usize];
                    b.g += gr;
                    b.c += 1;
                }
            }
            for b in out.iter_mut() {
                b.h = f64::from(b.c);
            }
        } else {
            for &r in rows {
                let r = r as usize;
                let (gr, hr) = (g[r], h[r]);
                let codes = &self.codes[r * p..(r + 1) * p];
                for (&c, &off) in codes.iter().zip(offsets) {
                    let b = &mut out[off + c as usize];
                    b.g += gr;
                    b.h += hr;
                    b.c += 1;
                }
            }
        }
    }

    /// The best split of a node from its histogram (`Some(hist)`) or, for small nodes, from its
    /// rows; features are drawn as `params.max_features` asks.
    #[allow(clippy::too_many_arguments)]
    fn best_split(
        &self,
        hist: Option<&[Bin]>,
        rows: &[u32],
        gh: (&[f64], &[f64]),
        sums: (f64, f64),
        params: &GrowParams,
        features: &mut [usize],
        rng: &mut Option<&mut ChaCha8Rng>,
        buf: &mut Vec<(u8, f64, f64)>,
    ) -> Option<Split> {
        let m = params.max_features.clamp(1, self.p);
        if m < self.p {
            if let Some(rng) = rng.as_deref_mut() {
                for k in 0..m {
                    let pick = rng.gen_range(k..self.p);
                    features.swap(k, pick);
                }
            }
        }
        let mut search = Search::new(sums.0, sums.1, rows.len(), params);
        let mut examined = 0;
        for &j in features.iter() {
            // Like scikit-learn, keep drawing features past `m` while none could split.
            if examined >= m && search.best.is_some() {
                break;
            }
            if self.offsets[j + 1] - self.offsets[j] < 2 {
                continue;
            }
            examined += 1;
            match hist {
                Some(hist) => {
                    let bins = &hist[self.offsets[j]..self.offsets[j + 1]];
                    let (mut gl, mut hl, mut cl) = (0.0, 0.0, 0usize);
                    let mut prev = None;
                    for (b, bin) in bins.iter().enumerate() {
                        if bin.c == 0 {
                            continue;
                        }
                        if let Some(pb) = prev {
                            if !search.consider(j, (pb, b), (gl, hl, cl)) {
                                break;
                            }
                        }
                        gl += bin.g;
                        hl += bin.h;
                        cl += bin.c as usize;
                        prev = Some(b);
                    }
                }
                None => {
                    buf.clear();
                    let col = &self.cols[j * self.n..(j + 1) * self.n];
                    buf.extend(rows.iter().map(|&r| {
                        let r = r as usize;
                        (col[r], gh.0[r], gh.1[r])
                    }));
                    buf.sort_unstable_by_key(|v| v.0);
                    let (mut gl, mut hl) = (0.0, 0.0);
                    for k in 0..buf.len().saturating_sub(1) {
                        let (c, gv, hv) = buf[k];
                        gl += gv;
                        hl += hv;
                        let next = buf[k + 1].0;
                        if next != c
                            && !search.consider(j, (c as usize, next as usize), (gl, hl, k + 1))
                        {
                            break;
                        }
                    }
                }
            }
        }
        search.best
    }

    /// Grow one tree on `rows` (rows with `h > 0`), reordering `rows` so that every leaf owns a
    /// contiguous range.
    ///
    /// Histogram buffers are recycled within the tree (no allocation per node once the first
    /// few exist); the row partition reads the split feature's column-major codes.
    pub fn grow(
        &self,
        g: &[f64],
        h: &[f64],
        rows: &mut [u32],
        params: &GrowParams,
        mut rng: Option<&mut ChaCha8Rng>,
    ) -> Grown {
        let unit_h = rows.iter().all(|&r| h[r as usize] == 1.0);
        // Sums in row order; with unit Hessians their sum is the row count (exactly).
        let g0 = sum_at(g, rows);
        let h0 = if unit_h {
            rows.len() as f64
        } else {
            sum_at(h, rows)
        };
        let mut tree = Tree {
            nodes: vec![leaf(g0, h0, params.lambda)],
        };
        let mut gains = vec![0.0; self.p];
        let mut leaves = Vec::new();
        let mut features: Vec<usize> = (0..self.p).collect();
        let mut buf: Vec<(u8, f64, f64)> = Vec::new();
        // Spare histograms: a node's histogram goes back here once no child can use it.
        let mut pool: Vec<Vec<Bin>> = Vec::new();
        let n_bins = self.n_bins();
        let take = |pool: &mut Vec<Vec<Bin>>, rows: &[u32]| {
            let mut v = match pool.pop() {
                Some(mut v) => {
                    v.fill(Bin::default());
                    v
                }
                None => vec![Bin::default(); n_bins],
            };
            self.hist_into((g, h), rows, unit_h, &mut v);
            v
        };
        let max_depth = params.max_depth.unwrap_or(usize::MAX);
        let max_leaves = params.max_leaf_nodes.unwrap_or(usize::MAX).max(1);
        let mcw = params.min_child_weight.max(0.0);
        let can_split = |count: usize, h: f64, depth: usize| {
            depth < max_depth && count >= 2 * params.min_samples_leaf.max(1) && h >= 2.0 * mcw
        };
        let mut pending: Vec<Pending> = Vec::new();
        let mut root = Pending {
            id: 0,
            start: 0,
            end: rows.len(),
            depth: 0,
            g: g0,
            h: h0,
            hist: None,
            split: None,
        };
        if can_split(rows.len(), h0, 0) && max_leaves > 1 {
            let hist = (rows.len() > SMALL).then(|| take(&mut pool, rows));
            root.split = self.best_split(
                hist.as_deref(),
                rows,
                (g, h),
                (g0, h0),
                params,
                &mut features,
                &mut rng,
                &mut buf,
            );
            root.hist = hist;
        }
        pending.push(root);
        let best_first = params.max_leaf_nodes.is_some();
        let mut n_leaves = 1usize;
        loop {
            // Pick the node to expand.
            let pick = if best_first {
                if n_leaves >= max_leaves {
                    None
                } else {
                    pending
                        .iter()
                        .enumerate()
                        .filter_map(|(k, n)| n.split.map(|s| (k, s.gain)))
                        .max_by(|a, b| a.1.total_cmp(&b.1))
                        .map(|(k, _)| k)
                }
            } else {
                pending.len().checked_sub(1)
            };
            let Some(k) = pick else { break };
            let node = pending.swap_remove(k);
            let Some(split) = node.split else {
                leaves.push((node.id, node.start, node.end));
                continue;
            };
            let f = split.feature;
            let range = &mut rows[node.start..node.end];
            let col = &self.cols[f * self.n..(f + 1) * self.n];
            // Rows going left are swapped to the front in order (branch-free: the swap is
            // written either way and is a no-op for rows going right).
            let mut cut = 0;
            for r in 0..range.len() {
                let v = range[r];
                let w = range[cut];
                let left = col
                    .get(v as usize)
                    .is_some_and(|&c| c as usize <= split.bin);
                range[r] = if left { w } else { v };
                range[cut] = if left { v } else { w };
                cut += usize::from(left);
            }
            let (lrows, rrows) = range.split_at(cut);
            let (gl, hl) = (split.gl, split.hl);
            let (gr, hr) = (node.g - gl, node.h - hl);
            let depth = node.depth + 1;
            let lid = tree.nodes.len();
            tree.nodes.push(leaf(gl, hl, params.lambda));
            tree.nodes.push(leaf(gr, hr, params.lambda));
            let parent = &mut tree.nodes[node.id];
            parent.feature = f;
            // Midway between the largest training value left and the smallest right.
            parent.threshold = 0.5
                * (self.bin_max[self.offsets[f] + split.bin]
                    + self.bin_min[self.offsets[f] + split.next]);
            parent.left = lid;
            parent.right = lid + 1;
            gains[f] += split.gain;
            n_leaves += 1;
            let l_split = can_split(lrows.len(), hl, depth);
            let r_split = can_split(rrows.len(), hr, depth);
            let left_small = lrows.len() <= rrows.len();
            let (small_rows, large) = if left_small {
                (lrows, rrows.len())
            } else {
                (rrows, lrows.len())
            };
            let (mut lhist, mut rhist) = (None, None);
            // Histograms only for children that will search over them (more than SMALL rows);
            // the larger child's is the parent's minus the smaller's.
            if let Some(mut hist) = node.hist {
                if large > SMALL && (if left_small { r_split } else { l_split }) {
                    let small = take(&mut pool, small_rows);
                    for (a, b) in hist.iter_mut().zip(&small) {
                        a.g -= b.g;
                        a.h -= b.h;
                        a.c -= b.c;
                    }
                    let small = if small_rows.len() > SMALL {
                        Some(small)
                    } else {
                        pool.push(small);
                        None
                    };
                    if left_small {
                        lhist = small;
                        rhist = Some(hist);
                    } else {
                        lhist = Some(hist);
                        rhist = small;
                    }
                } else {
                    pool.push(hist);
                }
            }
            let (ls, rs) = (node.start, node.start + cut);
            let children = [
                (lid, ls, rs, gl, hl, l_split, lhist),
                (lid + 1, rs, node.end, gr, hr, r_split, rhist),
            ];
            let mut made = Vec::with_capacity(2);
            for (id, start, end, cg, ch, ok, hist) in children {
                let mut child = Pending {
                    id,
                    start,
                    end,
                    depth,
                    g: cg,
                    h: ch,
                    hist: None,
                    split: None,
                };
                if ok {
                    child.split = self.best_split(
                        hist.as_deref(),
                        &rows[start..end],
                        (g, h),
                        (cg, ch),
                        params,
                        &mut features,
                        &mut rng,
                        &mut buf,
                    );
                }
                match hist {
                    Some(hist) if child.split.is_some() => child.hist = Some(hist),
                    Some(hist) => pool.push(hist),
                    None => {}
                }
                made.push(child);
            }
            // Depth first: the left child is expanded next.
            while let Some(c) = made.pop() {
                pending.push(c);
            }
        }
        for node in pending {
            leaves.push((node.id, node.start, node.end));
        }
        Grown {
            tree,
            gains,
            leaves,
        }
    }
}

/// One boosting round: derivatives of `objective` at the scores `f`, a tree grown on them over
/// `rows`, and `f` moved by `learning_rate` × the tree's leaf values (from the leaf ranges, no
/// tree walk). `g`, `h` are scratch buffers of `f`'s length.
#[allow(clippy::too_many_arguments)]
pub(crate) fn boost_round(
    grower: &Grower,
    objective: &dyn Objective,
    y: &[f64],
    f: &mut [f64],
    (g, h): (&mut [f64], &mut [f64]),
    rows: &mut [u32],
    params: &GrowParams,
    learning_rate: f64,
) -> Grown {
    objective.gradients(y, f, g, h);
    let grown = grower.grow(g, h, rows, params, None);
    for &(id, a, b) in &grown.leaves {
        let v = learning_rate * grown.tree.nodes.get(id).map_or(0.0, |n| n.value);
        for &r in &rows[a..b] {
            f[r as usize] += v;
        }
    }
    grown
}

/// `Σ v[r]` over `rows`, in row order (out of line: inlined into the grower, its accumulator
/// was spilled to the stack on every row).
#[inline(never)]
fn sum_at(v: &[f64], rows: &[u32]) -> f64 {
    let mut s = 0.0;
    for &r in rows {
        s += v.get(r as usize).copied().unwrap_or(0.0);
    }
    s
}

fn leaf(g: f64, h: f64, lambda: f64) -> Node {
    let value = if h + lambda > 0.0 {
        -g / (h + lambda)
    } else {
        0.0
    };
    Node {
        feature: usize::MAX,
        threshold: 0.0,
        left: 0,
        right: 0,
        value,
    }
}

/// Index of the leaf node a row falls into.
pub(crate) fn leaf_index(tree: &Tree, row: &[f64]) -> usize {
    let mut i = 0;
    while let Some(n) = tree.nodes.get(i) {
        if n.feature == usize::MAX {
            return i;
        }
        let v = row.get(n.feature).copied().unwrap_or(f64::NAN);
        i = if v <= n.threshold { n.left } else { n.right };
    }
    0
}

/// Normalise non-negative importances to sum 1 (all zero stays all zero).
pub(crate) fn normalise(v: &mut [f64]) {
    let s: f64 = v.iter().sum();
    if s > 0.0 {
        v.iter_mut().for_each(|x| *x /= s);
    }
}

/// Weighted quantile `q` of `(value, weight)` pairs (sorted in place by value).
pub(crate) fn weighted_quantile(pairs: &mut [(f64, f64)], q: f64) -> f64 {
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = pairs.iter().map(|p| p.1).sum();
    if pairs.is_empty() || total <= 0.0 {
        return f64::NAN;
    }
    let target = q.clamp(0.0, 1.0) * total;
    let mut acc = 0.0;
    for &(v, w) in pairs.iter() {
        acc += w;
        if acc >= target - 1e-12 * total {
            return v;
        }
    }
    pairs.last().map_or(f64::NAN, |p| p.0)
}
