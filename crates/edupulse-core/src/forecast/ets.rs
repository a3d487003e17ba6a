//! Holt-Winters exponential smoothing: additive error, additive damped trend, additive season of
//! period `m` (ETS(A,Ad,A) in Hyndman's taxonomy).
//!
//! Fit: the smoothing parameters α, β, γ and the damping φ minimise the sum of squared one-step
//! errors (SSE) by Nelder-Mead, with the initial states fixed by the classical heuristic (level =
//! mean of the first season, trend = difference of the first two season means / m, seasonal
//! states = first season minus the level). With fixed initial states, minimising SSE is the same
//! as maximising the Gaussian likelihood of the additive-error model. Bounds: 0 < α < 1,
//! 0 < β < α, 0 < γ < 1 − α, 0.8 ≤ φ ≤ 0.98 (the ranges of `forecast::ets`), enforced by
//! logistic transforms so the search is unconstrained.

use crate::error::{CoreError, Result};
use serde::{Deserialize, Serialize};

/// A fitted ETS(A,Ad,A) model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ets {
    /// Season length.
    pub m: usize,
    /// Level smoothing.
    pub alpha: f64,
    /// Trend smoothing.
    pub beta: f64,
    /// Season smoothing.
    pub gamma: f64,
    /// Trend damping.
    pub phi: f64,
    /// Level after the last observation.
    pub level: f64,
    /// Trend after the last observation.
    pub trend: f64,
    /// Seasonal states by phase `t % m` (the latest for each phase).
    pub season: Vec<f64>,
    /// Number of observations fitted.
    pub n: usize,
    /// Sum of squared one-step errors.
    pub sse: f64,
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Unconstrained → (α, β, γ, φ).
fn params(u: &[f64; 4]) -> [f64; 4] {
    let alpha = 0.0001 + 0.9998 * sigmoid(u[0]);
    let beta = alpha * sigmoid(u[1]);
    let gamma = (1.0 - alpha) * sigmoid(u[2]);
    let phi = 0.8 + 0.18 * sigmoid(u[3]);
    [alpha, beta, gamma, phi]
}

struct Run {
    level: f64,
    trend: f64,
    season: Vec<f64>,
    sse: f64,
}

fn run(y: &[f64], m: usize, p: [f64; 4]) -> Run {
    let [alpha, beta, gamma, phi] = p;
    let l0: f64 = y[..m].iter().sum::<f64>() / m as f64;
    let l1: f64 = y[m..2 * m].iter().sum::<f64>() / m as f64;
    let mut level = l0;
    let mut trend = (l1 - l0) / m as f64;
    let mut season: Vec<f64> = y[..m].iter().map(|v| v - l0).collect();
    let mut sse = 0.0;
    for (t, &v) in y.iter().enumerate() {
        let s = season[t % m];
        let e = v - (level + phi * trend + s);
        sse += e * e;
        let new_level = level + phi * trend + alpha * e;
        trend = phi * trend + beta * e;
        level = new_level;
        season[t % m] = s + gamma * e;
    }
    Run {
        level,
        trend,
        season,
        sse,
    }
}

/// Nelder-Mead on 4 unconstrained parameters (standard coefficients 1, 2, 0.5, 0.5).
fn nelder_mead(f: impl Fn(&[f64; 4]) -> f64, x0: [f64; 4], max_eval: usize) -> [f64; 4] {
    let mut simplex: Vec<([f64; 4], f64)> = Vec::with_capacity(5);
    simplex.push((x0, f(&x0)));
    for i in 0..4 {
        let mut x = x0;
        x[i] += 1.0;
        simplex.push((x, f(&x)));
    }
    let mut evals = 5;
    let cmp = |a: &([f64; 4], f64), b: &([f64; 4], f64)| a.1.total_cmp(&b.1);
    while evals < max_eval {
        simplex.sort_by(cmp);
        let (best, worst) = (simplex[0].1, simplex[4].1);
        if (worst - best).abs() <= 1e-10 * (best.abs() + 1e-12) {
            break;
        }
        let mut c = [0.0; 4];
        for (x, _) in &simplex[..4] {
            for k in 0..4 {
                c[k] += x[k] / 4.0;
            }
        }
        let along = |t: f64| {
            let mut x = [0.0; 4];
            for k in 0..4 {
                x[k] = c[k] + t * (simplex[4].0[k] - c[k]);
            }
            x
        };
        let xr = along(-1.0);
        let fr = f(&xr);
        evals += 1;
        if fr < simplex[0].1 {
            let xe = along(-2.0);
            let fe = f(&xe);
            evals += 1;
            simplex[4] = if fe < fr { (xe, fe) } else { (xr, fr) };
        } else if fr < simplex[3].1 {
            simplex[4] = (xr, fr);
        } else {
            let (xc, fc) = if fr < simplex[4].1 {
                let x = along(-0.5);
                (x, f(&x))
            } else {
                let x = along(0.5);
                (x, f(&x))
            };
            evals += 1;
            if fc < simplex[4].1.min(fr) {
                simplex[4] = (xc, fc);
            } else {
                let b = simplex[0].0;
                for s in simplex.iter_mut().skip(1) {
                    for (x, bk) in s.0.iter_mut().zip(b) {
                        *x = bk + 0.5 * (*x - bk);
                    }
                    s.1 = f(&s.0);
                }
                evals += 4;
            }
        }
    }
    simplex.sort_by(cmp);
    simplex[0].0
}

impl Ets {
    /// Fit on `y` (at least two full seasons) with season length `m ≥ 2`.
    pub fn fit(y: &[f64], m: usize) -> Result<Ets> {
        if m < 2 {
            return Err(CoreError::param("season", "must be ≥ 2 for ETS"));
        }
        if y.len() < 2 * m {
            return Err(CoreError::validation(
                super::SERIES,
                None,
                None,
                format!("ETS needs two seasons ({} days), got {}", 2 * m, y.len()),
            ));
        }
        let obj = |u: &[f64; 4]| {
            let r = run(y, m, params(u));
            if r.sse.is_finite() {
                r.sse
            } else {
                f64::INFINITY
            }
        };
        // α ≈ 0.2, β ≈ 0.01·α, γ ≈ 0.05·(1 − α), φ ≈ 0.97.
        let u = nelder_mead(obj, [-1.4, -4.6, -2.9, 2.5], 600);
        let p = params(&u);
        let r = run(y, m, p);
        if !r.sse.is_finite() {
            return Err(CoreError::convergence(
                "ETS",
                "the one-step errors overflow",
            ));
        }
        Ok(Ets {
            m,
            alpha: p[0],
            beta: p[1],
            gamma: p[2],
            phi: p[3],
            level: r.level,
            trend: r.trend,
            season: r.season,
            n: y.len(),
            sse: r.sse,
        })
    }

    /// Point forecasts for the next `h` days.
    pub fn forecast(&self, h: usize) -> Vec<f64> {
        let mut damp = 0.0;
        let mut pow = 1.0;
        (1..=h)
            .map(|k| {
                pow *= self.phi;
                damp += pow;
                self.level + damp * self.trend + self.season[(self.n + k - 1) % self.m]
            })
            .collect()
    }
}
