//! L2-regularised logistic regression by Newton's method (IRLS), written here rather than taken
//! from `linfa-logistic`: the problems are small and dense (tens of encoded features), Newton
//! converges in a handful of iterations to machine precision, non-convergence is detected and
//! reported, and no `ndarray` type leaks into the public API (DESIGN §4).

use crate::error::{LearnError, Result};
use serde::{Deserialize, Serialize};

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
    /// Fit on a row-major `n × p` matrix `x` with labels `y` and optional sample weights,
    /// minimising `Σ wᵢ·logloss + l2/2·‖β‖²`.
    pub fn fit(
        x: &[f64],
        p: usize,
        y: &[bool],
        weights: Option<&[f64]>,
        l2: f64,
        max_iter: usize,
        tol: f64,
    ) -> Result<Logistic> {
        let n = y.len();
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
        self.intercept + row.iter().zip(&self.coef).map(|(a, b)| a * b).sum::<f64>()
    }
}
