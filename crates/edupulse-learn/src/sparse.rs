//! Multinomial logistic regression over sparse rows (hashed text features): [`SparseRows`],
//! [`SparseLogisticParams`] → [`SparseLogistic::fit`] → [`SparseLogistic::predict_proba`].
//!
//! It decides the probability of each of `K ≥ 2` classes for a row from its sparse features.
//!
//! - **Objective**: the mean cross-entropy of the softmax plus `l2 / 2 · ‖W‖²` (intercepts are
//!   not penalised) — scikit-learn's `LogisticRegression(C)` with `l2 = 1 / (C · n)`.
//! - **Solver**: L-BFGS (two-loop recursion, `memory` pairs) with a backtracking Armijo line
//!   search, full batch, so the fit is deterministic and needs no random state. Only the columns
//!   some training row uses get a weight (the others would stay 0 under the L2 penalty), so a
//!   2¹⁸-column hashing space costs what the vocabulary costs. It stops when the largest gradient
//!   component is ≤ `tolerance` or the objective stops decreasing (relative change < 1e-12);
//!   hitting `max_iter` first is reported in [`SparseLogistic::converged`], not an error.
//! - **Calibration**: temperature scaling of the softmax (Guo et al. 2017). With
//!   `calibration_folds = k ≥ 2` the rows are split into `k` class-stratified folds
//!   (`random_state` seeds the shuffle), a model fitted without each fold scores it, and the
//!   temperature `T` minimising the log-loss of `softmax(z / T)` on those out-of-fold logits is
//!   kept with the model fitted on all rows. The folds are fitted in parallel under the crate's
//!   thread budget ([`crate::parallel`]); results do not depend on the thread count.
//!
//! ```
//! use edupulse_learn::{SparseLogistic, SparseLogisticParams, SparseRows};
//! let mut x = SparseRows::new(4);
//! for i in 0..30u32 {
//!     x.push_row([(i % 3, 1.0), (3, 0.5)]).unwrap();
//! }
//! let y: Vec<usize> = (0..30).map(|i| i % 3).collect();
//! let m = SparseLogistic::fit(&x, &y, 3, &SparseLogisticParams::default()).unwrap();
//! let p = m.predict_proba(&x).unwrap();
//! assert!(p[0] > p[1] && p[0] > p[2]); // row 0 has feature 0 → class 0
//! ```

use crate::error::{LearnError, Result};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Rows of sparse features (compressed sparse rows): column indices below `n_cols` with
/// finite values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseRows {
    indptr: Vec<usize>,
    indices: Vec<u32>,
    values: Vec<f32>,
    n_cols: u32,
}

impl SparseRows {
    /// No rows yet, `n_cols` columns.
    pub fn new(n_cols: u32) -> Self {
        SparseRows {
            indptr: vec![0],
            indices: Vec::new(),
            values: Vec::new(),
            n_cols,
        }
    }

    /// Append a row of `(column, value)` entries (any order; a repeated column counts as the sum
    /// of its values). A column ≥ `n_cols` or a non-finite value is an error naming the row
    /// (1-based) and the column; the row is then not added.
    pub fn push_row(&mut self, entries: impl IntoIterator<Item = (u32, f32)>) -> Result<()> {
        let start = self.indices.len();
        let row = self.n_rows() + 1;
        for (j, v) in entries {
            let bad = if j >= self.n_cols {
                Some(format!("column {j} is outside the {} columns", self.n_cols))
            } else if !v.is_finite() {
                Some(format!("value {v} is not finite"))
            } else {
                None
            };
            if let Some(message) = bad {
                self.indices.truncate(start);
                self.values.truncate(start);
                return Err(LearnError::validation(
                    "X",
                    Some(row),
                    Some(&format!("feature {j}")),
                    message,
                ));
            }
            self.indices.push(j);
            self.values.push(v);
        }
        self.indptr.push(self.indices.len());
        Ok(())
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.indptr.len().saturating_sub(1)
    }

    /// Number of columns.
    pub fn n_cols(&self) -> u32 {
        self.n_cols
    }

    /// The columns and values of row `i` (empty for a row that does not exist).
    pub fn row(&self, i: usize) -> (&[u32], &[f32]) {
        match (self.indptr.get(i), self.indptr.get(i + 1)) {
            (Some(&a), Some(&b)) => (&self.indices[a..b], &self.values[a..b]),
            _ => (&[], &[]),
        }
    }

    /// The rows `idx`, in that order.
    pub fn select(&self, idx: &[usize]) -> SparseRows {
        let mut out = SparseRows::new(self.n_cols);
        for &i in idx {
            let (c, v) = self.row(i);
            out.indices.extend_from_slice(c);
            out.values.extend_from_slice(v);
            out.indptr.push(out.indices.len());
        }
        out
    }
}

/// Parameters of [`SparseLogistic::fit`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SparseLogisticParams {
    /// L2 penalty on the weights (≥ 0; the objective is the *mean* log-loss + `l2/2 · ‖W‖²`).
    pub l2: f64,
    /// Maximum L-BFGS iterations (≥ 1).
    pub max_iter: usize,
    /// Stop when the largest gradient component is at most this (≥ 0).
    pub tolerance: f64,
    /// L-BFGS memory: correction pairs kept (1–100).
    pub memory: usize,
    /// Folds of the out-of-fold temperature calibration (0 = none, else ≥ 2).
    pub calibration_folds: usize,
    /// Seed of the calibration folds' shuffle.
    pub random_state: u64,
}

impl Default for SparseLogisticParams {
    fn default() -> Self {
        SparseLogisticParams {
            l2: 1e-3,
            max_iter: 500,
            tolerance: 1e-5,
            memory: 10,
            calibration_folds: 5,
            random_state: 0,
        }
    }
}

impl SparseLogisticParams {
    /// Check the parameters (errors name the field).
    pub fn validate(&self) -> Result<()> {
        if !(self.l2 >= 0.0 && self.l2.is_finite()) {
            return Err(LearnError::param("l2", format!("{} must be ≥ 0", self.l2)));
        }
        if self.max_iter == 0 {
            return Err(LearnError::param("max_iter", "must be ≥ 1"));
        }
        if !(self.tolerance >= 0.0 && self.tolerance.is_finite()) {
            return Err(LearnError::param("tolerance", "must be ≥ 0"));
        }
        if !(1..=100).contains(&self.memory) {
            return Err(LearnError::param("memory", "must be in 1–100"));
        }
        if self.calibration_folds == 1 {
            return Err(LearnError::param(
                "calibration_folds",
                "must be 0 (no calibration) or ≥ 2",
            ));
        }
        Ok(())
    }
}

/// A fitted multinomial logistic regression over sparse rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SparseLogistic {
    /// Number of classes `K`.
    pub n_classes: usize,
    /// Columns of the input space (as given to fit).
    pub n_cols: u32,
    /// The columns some training row used, ascending; only they have weights.
    pub columns: Vec<u32>,
    /// Weights, `columns.len() × K`, row-major.
    pub coef: Vec<f64>,
    /// One intercept per class.
    pub intercept: Vec<f64>,
    /// Softmax temperature from the calibration (1 without).
    pub temperature: f64,
    /// L-BFGS iterations of the final fit.
    pub iterations: usize,
    /// Whether the final fit met the tolerance before `max_iter`.
    pub converged: bool,
}

/// `log Σ exp(z)` and the softmax of `z` into `p`.
fn softmax(z: &[f64], p: &mut [f64]) -> f64 {
    let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut s = 0.0;
    for (pk, &zk) in p.iter_mut().zip(z) {
        *pk = (zk - m).exp();
        s += *pk;
    }
    for pk in p.iter_mut() {
        *pk /= s;
    }
    m + s.ln()
}

/// Training rows re-indexed onto the used columns.
struct Compact {
    indptr: Vec<usize>,
    cols: Vec<u32>,
    values: Vec<f64>,
    d: usize,
}

impl Compact {
    fn new(x: &SparseRows, columns: &[u32]) -> Compact {
        let mut cols = Vec::with_capacity(x.indices.len());
        let mut values = Vec::with_capacity(x.indices.len());
        let mut indptr = vec![0];
        for i in 0..x.n_rows() {
            let (c, v) = x.row(i);
            for (&j, &vj) in c.iter().zip(v) {
                if let Ok(k) = columns.binary_search(&j) {
                    cols.push(k as u32);
                    values.push(f64::from(vj));
                }
            }
            indptr.push(cols.len());
        }
        Compact {
            indptr,
            cols,
            values,
            d: columns.len(),
        }
    }

    /// Objective and its gradient at `w` (`d × K` weights then `K` intercepts).
    fn loss_grad(&self, w: &[f64], y: &[usize], k: usize, l2: f64, g: &mut [f64]) -> f64 {
        let n = y.len();
        let inv_n = 1.0 / n as f64;
        g.iter_mut().for_each(|v| *v = 0.0);
        let (wc, b) = w.split_at(self.d * k);
        let mut z = vec![0.0; k];
        let mut p = vec![0.0; k];
        let mut loss = 0.0;
        for (i, &yi) in y.iter().enumerate() {
            let (a, e) = (self.indptr[i], self.indptr[i + 1]);
            z.copy_from_slice(b);
            for (&j, &v) in self.cols[a..e].iter().zip(&self.values[a..e]) {
                let row = &wc[j as usize * k..(j as usize + 1) * k];
                for (zc, &wk) in z.iter_mut().zip(row) {
                    *zc += v * wk;
                }
            }
            let lse = softmax(&z, &mut p);
            loss += lse - z[yi];
            p[yi] -= 1.0;
            for (&j, &v) in self.cols[a..e].iter().zip(&self.values[a..e]) {
                let row = &mut g[j as usize * k..(j as usize + 1) * k];
                for (gk, &pk) in row.iter_mut().zip(&p) {
                    *gk += v * pk;
                }
            }
            let gb = &mut g[self.d * k..];
            for (gk, &pk) in gb.iter_mut().zip(&p) {
                *gk += pk;
            }
        }
        let mut penalty = 0.0;
        for (gj, &wj) in g[..self.d * k].iter_mut().zip(wc) {
            *gj = *gj * inv_n + l2 * wj;
            penalty += wj * wj;
        }
        for gj in g[self.d * k..].iter_mut() {
            *gj *= inv_n;
        }
        loss * inv_n + 0.5 * l2 * penalty
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Minimise `f` from `w` by L-BFGS; returns (iterations, converged).
fn lbfgs(
    f: impl Fn(&[f64], &mut [f64]) -> f64,
    w: &mut [f64],
    params: &SparseLogisticParams,
) -> Result<(usize, bool)> {
    let n = w.len();
    let mut g = vec![0.0; n];
    let mut fx = f(w, &mut g);
    let mut s_hist: Vec<Vec<f64>> = Vec::new();
    let mut y_hist: Vec<Vec<f64>> = Vec::new();
    let mut rho: Vec<f64> = Vec::new();
    let mut d = vec![0.0; n];
    let mut w_new = vec![0.0; n];
    let mut g_new = vec![0.0; n];
    let gmax = |g: &[f64]| g.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    for it in 0..params.max_iter {
        if !fx.is_finite() {
            return Err(LearnError::convergence(
                "sparse logistic regression",
                "the objective is not finite",
            ));
        }
        if gmax(&g) <= params.tolerance {
            return Ok((it, true));
        }
        // Two-loop recursion: d = −H·g.
        d.copy_from_slice(&g);
        let m = s_hist.len();
        let mut alpha = vec![0.0; m];
        for i in (0..m).rev() {
            alpha[i] = rho[i] * dot(&s_hist[i], &d);
            for (dj, yj) in d.iter_mut().zip(&y_hist[i]) {
                *dj -= alpha[i] * yj;
            }
        }
        let gamma = match (s_hist.last(), y_hist.last()) {
            (Some(s), Some(y)) => dot(s, y) / dot(y, y),
            _ => 1.0 / dot(&g, &g).sqrt().max(1e-12),
        };
        d.iter_mut().for_each(|v| *v *= gamma);
        for i in 0..m {
            let beta = rho[i] * dot(&y_hist[i], &d);
            for (dj, sj) in d.iter_mut().zip(&s_hist[i]) {
                *dj += (alpha[i] - beta) * sj;
            }
        }
        d.iter_mut().for_each(|v| *v = -*v);
        let mut slope = dot(&g, &d);
        if slope >= 0.0 {
            // Not a descent direction: restart from steepest descent.
            s_hist.clear();
            y_hist.clear();
            rho.clear();
            let scale = 1.0 / dot(&g, &g).sqrt().max(1e-12);
            for (dj, gj) in d.iter_mut().zip(&g) {
                *dj = -gj * scale;
            }
            slope = dot(&g, &d);
        }
        // Backtracking Armijo line search.
        let mut step = 1.0;
        let mut f_new;
        loop {
            for ((wn, wj), dj) in w_new.iter_mut().zip(w.iter()).zip(&d) {
                *wn = wj + step * dj;
            }
            f_new = f(&w_new, &mut g_new);
            if f_new.is_finite() && f_new <= fx + 1e-4 * step * slope {
                break;
            }
            step *= 0.5;
            if step < 1e-20 {
                // No decrease possible along d: as good as the arithmetic allows.
                return Ok((it, gmax(&g) <= params.tolerance.max(1e-8)));
            }
        }
        let s: Vec<f64> = w_new.iter().zip(w.iter()).map(|(a, b)| a - b).collect();
        let yv: Vec<f64> = g_new.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &yv);
        w.copy_from_slice(&w_new);
        g.copy_from_slice(&g_new);
        let decrease = fx - f_new;
        fx = f_new;
        if sy > 1e-12 {
            if s_hist.len() == params.memory {
                s_hist.remove(0);
                y_hist.remove(0);
                rho.remove(0);
            }
            s_hist.push(s);
            y_hist.push(yv);
            rho.push(1.0 / sy);
        }
        if decrease <= 1e-12 * fx.abs().max(1.0) {
            return Ok((it + 1, true));
        }
    }
    Ok((params.max_iter, gmax(&g) <= params.tolerance))
}

impl SparseLogistic {
    /// Fit on `x` and class indices `y` (each `< n_classes`, every class present). Errors name
    /// the parameter, or table `y` and the row.
    pub fn fit(
        x: &SparseRows,
        y: &[usize],
        n_classes: usize,
        params: &SparseLogisticParams,
    ) -> Result<SparseLogistic> {
        params.validate()?;
        if n_classes < 2 {
            return Err(LearnError::param("n_classes", "must be ≥ 2"));
        }
        if y.len() != x.n_rows() {
            return Err(LearnError::validation(
                "y",
                None,
                None,
                format!("{} labels for {} rows", y.len(), x.n_rows()),
            ));
        }
        let mut counts = vec![0usize; n_classes];
        for (i, &c) in y.iter().enumerate() {
            match counts.get_mut(c) {
                Some(n) => *n += 1,
                None => {
                    return Err(LearnError::validation(
                        "y",
                        Some(i + 1),
                        None,
                        format!("class {c} is not below {n_classes}"),
                    ))
                }
            }
        }
        if let Some(c) = counts.iter().position(|&n| n == 0) {
            return Err(LearnError::validation(
                "y",
                None,
                None,
                format!("class {c} has no rows"),
            ));
        }
        let mut model = fit_raw(x, y, n_classes, params)?;
        if params.calibration_folds >= 2 {
            model.temperature = calibrate(x, y, n_classes, params)?;
        }
        Ok(model)
    }

    /// Logits (before the temperature) of every row, `n × K` row-major. Columns the training
    /// rows never used weigh 0.
    pub fn decision_function(&self, x: &SparseRows) -> Result<Vec<f64>> {
        if x.n_cols() != self.n_cols {
            return Err(LearnError::validation(
                "X",
                None,
                None,
                format!(
                    "{} columns, the model was fitted on {}",
                    x.n_cols(),
                    self.n_cols
                ),
            ));
        }
        let k = self.n_classes;
        let mut out = Vec::with_capacity(x.n_rows() * k);
        for i in 0..x.n_rows() {
            let base = out.len();
            out.extend_from_slice(&self.intercept);
            let (c, v) = x.row(i);
            for (&j, &vj) in c.iter().zip(v) {
                if let Ok(pos) = self.columns.binary_search(&j) {
                    let w = &self.coef[pos * k..(pos + 1) * k];
                    for (o, &wk) in out[base..].iter_mut().zip(w) {
                        *o += f64::from(vj) * wk;
                    }
                }
            }
        }
        Ok(out)
    }

    /// Calibrated class probabilities, `n × K` row-major (each row sums to 1).
    pub fn predict_proba(&self, x: &SparseRows) -> Result<Vec<f64>> {
        let mut z = self.decision_function(x)?;
        let k = self.n_classes;
        let mut p = vec![0.0; k];
        for row in z.chunks_mut(k) {
            row.iter_mut().for_each(|v| *v /= self.temperature);
            softmax(row, &mut p);
            row.copy_from_slice(&p);
        }
        Ok(z)
    }

    /// The most probable class of every row (the lowest index on a tie).
    pub fn predict(&self, x: &SparseRows) -> Result<Vec<usize>> {
        let z = self.decision_function(x)?;
        Ok(z.chunks(self.n_classes).map(argmax).collect())
    }
}

/// Index of the largest value (the first on a tie).
pub(crate) fn argmax(row: &[f64]) -> usize {
    let mut best = 0;
    for (i, &v) in row.iter().enumerate() {
        if v > row[best] {
            best = i;
        }
    }
    best
}

/// Fit without calibration.
fn fit_raw(
    x: &SparseRows,
    y: &[usize],
    k: usize,
    params: &SparseLogisticParams,
) -> Result<SparseLogistic> {
    let mut columns = x.indices.clone();
    columns.sort_unstable();
    columns.dedup();
    let data = Compact::new(x, &columns);
    let mut w = vec![0.0; data.d * k + k];
    // Start the intercepts at the log class shares.
    let n = y.len() as f64;
    for c in 0..k {
        let share = y.iter().filter(|&&v| v == c).count() as f64 / n;
        w[data.d * k + c] = share.max(1e-12).ln();
    }
    let (iterations, converged) =
        lbfgs(|w, g| data.loss_grad(w, y, k, params.l2, g), &mut w, params)?;
    let intercept = w.split_off(data.d * k);
    Ok(SparseLogistic {
        n_classes: k,
        n_cols: x.n_cols(),
        columns,
        coef: w,
        intercept,
        temperature: 1.0,
        iterations,
        converged,
    })
}

/// Class-stratified folds: fold of every row.
fn folds(y: &[usize], k: usize, n_folds: usize, seed: u64) -> Vec<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut fold = vec![0usize; y.len()];
    let mut offset = 0;
    for c in 0..k {
        let mut idx: Vec<usize> = (0..y.len()).filter(|&i| y[i] == c).collect();
        idx.shuffle(&mut rng);
        for (j, &i) in idx.iter().enumerate() {
            fold[i] = (j + offset) % n_folds;
        }
        offset += idx.len();
    }
    fold
}

/// The temperature minimising the out-of-fold log-loss.
fn calibrate(x: &SparseRows, y: &[usize], k: usize, params: &SparseLogisticParams) -> Result<f64> {
    let n_folds = params.calibration_folds.min(y.len());
    if n_folds < 2 {
        return Ok(1.0);
    }
    let fold = folds(y, k, n_folds, params.random_state);
    let parts = crate::parallel::map(n_folds, |f| -> Result<Vec<(usize, Vec<f64>)>> {
        let train: Vec<usize> = (0..y.len()).filter(|&i| fold[i] != f).collect();
        let test: Vec<usize> = (0..y.len()).filter(|&i| fold[i] == f).collect();
        let yt: Vec<usize> = train.iter().map(|&i| y[i]).collect();
        let m = fit_raw(&x.select(&train), &yt, k, params)?;
        let z = m.decision_function(&x.select(&test))?;
        Ok(test
            .into_iter()
            .zip(z.chunks(k).map(<[f64]>::to_vec))
            .collect())
    });
    let mut logits: Vec<(usize, Vec<f64>)> = Vec::with_capacity(y.len());
    for p in parts {
        logits.extend(p?);
    }
    let nll = |t: f64| {
        let mut p = vec![0.0; k];
        let mut s = 0.0;
        for (i, z) in &logits {
            let zt: Vec<f64> = z.iter().map(|v| v / t).collect();
            s += softmax(&zt, &mut p) - zt[y[*i]];
        }
        s
    };
    // Golden-section search on ln T in [ln 0.05, ln 20] (the log-loss is unimodal in 1/T).
    let (mut a, mut b) = (0.05f64.ln(), 20f64.ln());
    let r = (5f64.sqrt() - 1.0) / 2.0;
    let mut c = b - r * (b - a);
    let mut d = a + r * (b - a);
    let (mut fc, mut fd) = (nll(c.exp()), nll(d.exp()));
    for _ in 0..60 {
        if fc < fd {
            b = d;
            d = c;
            fd = fc;
            c = b - r * (b - a);
            fc = nll(c.exp());
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + r * (b - a);
            fd = nll(d.exp());
        }
    }
    Ok(((a + b) / 2.0).exp())
}

#[cfg(test)]
#[path = "sparse_tests.rs"]
mod tests;
