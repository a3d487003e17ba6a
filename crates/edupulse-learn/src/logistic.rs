//! L2-regularised logistic regression by Newton's method (IRLS), written here rather than taken
//! from `linfa-logistic`: the problems are small and dense (tens of encoded features), Newton
//! converges in a handful of iterations to machine precision, non-convergence is detected and
//! reported, and no `ndarray` type leaks into the public API (DESIGN §4).

use crate::error::{LearnError, Result};
use serde::{Deserialize, Serialize};

/// Parameters of [`Logistic::fit`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogisticParams {
    /// L2 penalty on the coefficients (the intercept is not penalised).
    pub l2: f64,
    /// Maximum Newton iterations.
    pub max_iter: usize,
    /// Convergence tolerance on the Newton step (0 = run all `max_iter` iterations).
    pub tolerance: f64,
}

impl Default for LogisticParams {
    fn default() -> Self {
        LogisticParams {
            l2: 1.0,
            max_iter: 100,
            tolerance: 1e-8,
        }
    }
}

impl LogisticParams {
    /// Check the parameters (errors name the field).
    pub fn validate(&self) -> Result<()> {
        if !(self.l2 >= 0.0 && self.l2.is_finite()) {
            return Err(LearnError::param("l2", "must be ≥ 0"));
        }
        if self.max_iter == 0 {
            return Err(LearnError::param("max_iter", "must be ≥ 1"));
        }
        if self.tolerance.is_nan() || self.tolerance < 0.0 {
            return Err(LearnError::param("tolerance", "must be ≥ 0"));
        }
        Ok(())
    }
}

/// A fitted logistic regression on encoded features.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Logistic {
    /// Intercept (not penalised).
    pub intercept: f64,
    /// One coefficient per encoded feature.
    pub coef: Vec<f64>,
    /// Newton iterations used.
    pub iterations: usize,
}

pub(crate) fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// Solve `a x = b` for symmetric positive-definite `a` (`m × m`, row-major) by Cholesky.
pub(crate) fn cholesky_solve(a: &[f64], b: &[f64], m: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; m * m];
    for i in 0..m {
        for j in 0..=i {
            let mut s = a[i * m + j];
            for k in 0..j {
                s -= l[i * m + k] * l[j * m + k];
            }
            if i == j {
                if s <= 0.0 || !s.is_finite() {
                    return None;
                }
                l[i * m + i] = s.sqrt();
            } else {
                l[i * m + j] = s / l[j * m + j];
            }
        }
    }
    let mut y = vec![0.0; m];
    for i in 0..m {
        let mut s = b[i];
        for k in 0..i {
            s -= l[i * m + k] * y[k];
        }
        y[i] = s / l[i * m + i];
    }
    let mut x = vec![0.0; m];
    for i in (0..m).rev() {
        let mut s = y[i];
        for k in i + 1..m {
            s -= l[k * m + i] * x[k];
        }
        x[i] = s / l[i * m + i];
    }
    Some(x)
}

impl Logistic {
    /// Fit on a row-major `n × p` matrix `x` with labels `y`, minimising
    /// `Σ logloss + l2/2·‖β‖²`.
    ///
    /// ```
    /// use edupulse_learn::{Logistic, LogisticParams};
    /// let x: Vec<f64> = (0..100).map(|i| i as f64 / 10.0).collect();
    /// let y: Vec<bool> = (0..100).map(|i| (i * 7) % 10 < i / 10).collect();
    /// let m = Logistic::fit(&x, 1, &y, &LogisticParams::default()).unwrap();
    /// let p = m.predict_proba(&[0.0, 9.9], 1).unwrap();
    /// assert!(p[0] < 0.5 && p[1] > 0.5);
    /// ```
    pub fn fit(x: &[f64], p: usize, y: &[bool], params: &LogisticParams) -> Result<Logistic> {
        Self::fit_weighted(x, p, y, None, params)
    }

    /// [`Logistic::fit`] with optional sample weights: minimises `Σ wᵢ·logloss + l2/2·‖β‖²`.
    pub fn fit_weighted(
        x: &[f64],
        p: usize,
        y: &[bool],
        weights: Option<&[f64]>,
        params: &LogisticParams,
    ) -> Result<Logistic> {
        params.validate()?;
        let (l2, max_iter, tol) = (params.l2, params.max_iter, params.tolerance);
        let n = y.len();
        if let Some(w) = weights {
            if w.len() != n {
                return Err(LearnError::validation(
                    "weights",
                    None,
                    None,
                    format!("{} weights for {n} rows", w.len()),
                ));
            }
        }
        if x.len() != n * p {
            return Err(LearnError::param(
                "x",
                format!("{} values is not {n} × {p}", x.len()),
            ));
        }
        let m = p + 1; // intercept last
        let mut beta = vec![0.0; m];
        // Start the intercept at the log-odds of the base rate.
        let wsum: f64 = weights.map_or(n as f64, |w| w.iter().sum());
        let pos: f64 = (0..n)
            .filter(|&i| y[i])
            .map(|i| weights.map_or(1.0, |w| w[i]))
            .sum();
        let rate = (pos / wsum).clamp(1e-6, 1.0 - 1e-6);
        beta[p] = (rate / (1.0 - rate)).ln();
        let mut h = vec![0.0; m * m];
        let mut g = vec![0.0; m];
        // Penalised negative log-likelihood, for the step-halving line search below.
        let objective = |beta: &[f64]| -> f64 {
            let mut loss = 0.0;
            for i in 0..n {
                let row = &x[i * p..(i + 1) * p];
                let z = beta[p] + row.iter().zip(beta).map(|(a, b)| a * b).sum::<f64>();
                let w = weights.map_or(1.0, |w| w[i]);
                // softplus(z) - y z, computed without overflow
                let softplus = z.max(0.0) + (-z.abs()).exp().ln_1p();
                loss += w * (softplus - if y[i] { z } else { 0.0 });
            }
            loss + 0.5 * l2 * beta[..p].iter().map(|b| b * b).sum::<f64>()
        };
        let mut current = objective(&beta);
        let mut trial = vec![0.0; m];
        for it in 0..max_iter {
            h.iter_mut().for_each(|v| *v = 0.0);
            g.iter_mut().for_each(|v| *v = 0.0);
            for i in 0..n {
                let row = &x[i * p..(i + 1) * p];
                let z = beta[p] + row.iter().zip(&beta).map(|(a, b)| a * b).sum::<f64>();
                let mu = sigmoid(z);
                let w = weights.map_or(1.0, |w| w[i]);
                let r = w * (mu - if y[i] { 1.0 } else { 0.0 });
                let s = w * (mu * (1.0 - mu)).max(1e-12);
                for a in 0..p {
                    let xa = row[a];
                    if xa == 0.0 {
                        continue;
                    }
                    g[a] += r * xa;
                    let sx = s * xa;
                    for b in 0..=a {
                        h[a * m + b] += sx * row[b];
                    }
                    h[p * m + a] += sx;
                }
                g[p] += r;
                h[p * m + p] += s;
            }
            for a in 0..m {
                for b in 0..a {
                    h[b * m + a] = h[a * m + b];
                }
            }
            for a in 0..p {
                g[a] += l2 * beta[a];
                h[a * m + a] += l2;
            }
            // A tiny ridge keeps the system solvable when a feature never varies.
            for a in 0..m {
                h[a * m + a] += 1e-10;
            }
            let step = cholesky_solve(&h, &g, m).ok_or_else(|| {
                LearnError::convergence("logistic regression", "singular Hessian")
            })?;
            // Newton with step halving: a full step can overshoot (rare standardised features
            // make the Hessian nearly singular and plain Newton oscillate for ever), so the step
            // is halved until the penalised objective does not increase.
            let mut scale = 1.0;
            let mut next = f64::INFINITY;
            for _ in 0..40 {
                for ((t, b), s) in trial.iter_mut().zip(&beta).zip(&step) {
                    *t = b - scale * s;
                }
                next = objective(&trial);
                if next.is_finite() && next <= current + 1e-12 * current.abs().max(1.0) {
                    break;
                }
                scale *= 0.5;
            }
            let mut max_step = 0.0f64;
            for (b, s) in beta.iter_mut().zip(&step) {
                *b -= scale * s;
                max_step = max_step.max((scale * s).abs());
            }
            current = next;
            crate::progress::tick(it + 1, max_iter)?;
            if beta.iter().any(|b| !b.is_finite()) {
                return Err(LearnError::convergence(
                    "logistic regression",
                    "coefficients diverged",
                ));
            }
            if max_step < tol {
                return Ok(Logistic {
                    intercept: beta[p],
                    coef: beta[..p].to_vec(),
                    iterations: it + 1,
                });
            }
        }
        Err(LearnError::convergence(
            "logistic regression",
            format!(
                "no convergence after {max_iter} Newton iterations (separable data? raise `l2`)"
            ),
        ))
    }

    /// The linear predictor (log-odds) of one encoded row.
    pub fn decision(&self, row: &[f64]) -> f64 {
        self.decision_row(row)
    }

    /// Probabilities of class 1 for the rows of a row-major matrix with `p` columns.
    pub fn predict_proba(&self, x: &[f64], p: usize) -> Result<Vec<f64>> {
        if p != self.coef.len() || !x.len().is_multiple_of(p.max(1)) {
            return Err(LearnError::validation(
                "X",
                None,
                None,
                format!(
                    "{} values in rows of {p} features, the model was fitted on {}",
                    x.len(),
                    self.coef.len()
                ),
            ));
        }
        Ok(x.chunks_exact(p.max(1))
            .map(|r| sigmoid(self.decision_row(r)))
            .collect())
    }

    /// Predicted classes (probability ≥ 0.5) for the rows of a row-major matrix.
    pub fn predict(&self, x: &[f64], p: usize) -> Result<Vec<bool>> {
        Ok(self
            .predict_proba(x, p)?
            .into_iter()
            .map(|q| q >= 0.5)
            .collect())
    }

    fn decision_row(&self, row: &[f64]) -> f64 {
        self.intercept + row.iter().zip(&self.coef).map(|(a, b)| a * b).sum::<f64>()
    }
}
