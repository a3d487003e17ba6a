//! Numerical building blocks shared by the fitted models: `ln Γ`, digamma, forward-mode dual
//! numbers, so a formula is written once over [`Real`] and evaluated either in plain `f64` or with
//! its exact gradient (BTYD likelihoods in `churn`, FSRS in `repetition`), and a BFGS minimiser
//! with a Wolfe line search over such gradients ([`minimize`]).
//!
//! It decides nothing by itself: it evaluates functions and finds minima of the objectives its
//! callers write.

#![allow(clippy::needless_range_loop)] // small dense matrices read best indexed

use std::ops::{Add, Div, Mul, Neg, Sub};

/// `ln Γ(x)` for `x > 0` (Lanczos, g = 7, n = 9; relative error ≈ 1e-15).
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1−x) = π / sin(πx).
        let s = (std::f64::consts::PI * x).sin().abs();
        return std::f64::consts::PI.ln() - s.ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Digamma ψ(x) for `x > 0`.
pub fn digamma(mut x: f64) -> f64 {
    let mut r = 0.0;
    while x < 10.0 {
        r -= 1.0 / x;
        x += 1.0;
    }
    let f = 1.0 / (x * x);
    r + x.ln()
        - 0.5 / x
        - f * (1.0 / 12.0 - f * (1.0 / 120.0 - f * (1.0 / 252.0 - f * (1.0 / 240.0 - f / 132.0))))
}

/// A real number that the likelihoods can be written over: `f64` or a dual number.
pub trait Real:
    Copy
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    /// A constant.
    fn cst(v: f64) -> Self;
    /// The value part.
    fn val(self) -> f64;
    /// Natural logarithm.
    fn ln(self) -> Self;
    /// Exponential.
    fn exp(self) -> Self;
    /// `ln Γ`.
    fn lgamma(self) -> Self;
    /// `ln(1 + x)`.
    fn ln1p(self) -> Self;
    /// `self^e` (`self > 0`).
    fn pow(self, e: Self) -> Self {
        (e * self.ln()).exp()
    }
    /// Multiply by a constant.
    fn scale(self, k: f64) -> Self;
    /// A function value `v` of `inputs` whose partial derivatives are `partials` (the chain rule
    /// for a function computed outside the dual arithmetic).
    fn lift(v: f64, inputs: &[Self], partials: &[f64]) -> Self;
}

impl Real for f64 {
    #[inline(always)]
    fn cst(v: f64) -> Self {
        v
    }
    #[inline(always)]
    fn val(self) -> f64 {
        self
    }
    #[inline(always)]
    fn ln(self) -> Self {
        f64::ln(self)
    }
    #[inline(always)]
    fn exp(self) -> Self {
        f64::exp(self)
    }
    #[inline(always)]
    fn pow(self, e: Self) -> Self {
        f64::powf(self, e)
    }
    fn lgamma(self) -> Self {
        ln_gamma(self)
    }
    fn ln1p(self) -> Self {
        f64::ln_1p(self)
    }
    fn scale(self, k: f64) -> Self {
        self * k
    }
    fn lift(v: f64, _inputs: &[Self], _partials: &[f64]) -> Self {
        v
    }
}

/// A forward-mode dual number with `N` derivative components.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dual<const N: usize> {
    /// Value.
    pub v: f64,
    /// Partial derivatives.
    pub d: [f64; N],
}

impl<const N: usize> Dual<N> {
    /// The `i`-th variable with value `v`.
    pub fn var(v: f64, i: usize) -> Self {
        let mut d = [0.0; N];
        d[i] = 1.0;
        Dual { v, d }
    }
    #[inline]
    fn chain(self, v: f64, dv: f64) -> Self {
        let mut d = self.d;
        for x in d.iter_mut() {
            *x *= dv;
        }
        Dual { v, d }
    }
}

impl<const N: usize> Add for Dual<N> {
    type Output = Self;
    #[inline]
    fn add(self, o: Self) -> Self {
        let mut d = self.d;
        for (x, y) in d.iter_mut().zip(o.d) {
            *x += y;
        }
        Dual { v: self.v + o.v, d }
    }
}
impl<const N: usize> Sub for Dual<N> {
    type Output = Self;
    #[inline]
    fn sub(self, o: Self) -> Self {
        let mut d = self.d;
        for (x, y) in d.iter_mut().zip(o.d) {
            *x -= y;
        }
        Dual { v: self.v - o.v, d }
    }
}
impl<const N: usize> Mul for Dual<N> {
    type Output = Self;
    #[inline]
    fn mul(self, o: Self) -> Self {
        let mut d = self.d;
        for (x, y) in d.iter_mut().zip(o.d) {
            *x = *x * o.v + self.v * y;
        }
        Dual { v: self.v * o.v, d }
    }
}
impl<const N: usize> Div for Dual<N> {
    type Output = Self;
    #[inline]
    fn div(self, o: Self) -> Self {
        let inv = 1.0 / o.v;
        let v = self.v * inv;
        let mut d = self.d;
        for (x, y) in d.iter_mut().zip(o.d) {
            *x = (*x - v * y) * inv;
        }
        Dual { v, d }
    }
}
impl<const N: usize> Neg for Dual<N> {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        self.chain(-self.v, -1.0)
    }
}

impl<const N: usize> Real for Dual<N> {
    fn cst(v: f64) -> Self {
        Dual { v, d: [0.0; N] }
    }
    fn val(self) -> f64 {
        self.v
    }
    fn ln(self) -> Self {
        self.chain(self.v.ln(), 1.0 / self.v)
    }
    fn exp(self) -> Self {
        let e = self.v.exp();
        self.chain(e, e)
    }
    fn lgamma(self) -> Self {
        self.chain(ln_gamma(self.v), digamma(self.v))
    }
    fn ln1p(self) -> Self {
        self.chain(self.v.ln_1p(), 1.0 / (1.0 + self.v))
    }
    fn scale(self, k: f64) -> Self {
        self.chain(self.v * k, k)
    }
    fn lift(v: f64, inputs: &[Self], partials: &[f64]) -> Self {
        let mut d = [0.0; N];
        for (x, p) in inputs.iter().zip(partials) {
            for (o, xd) in d.iter_mut().zip(x.d) {
                *o += p * xd;
            }
        }
        Dual { v, d }
    }
}

/// Clamp by value (the derivative is zero outside the range, as in autograd's `clamp`).
#[inline(always)]
pub fn clamp<T: Real>(x: T, lo: f64, hi: f64) -> T {
    let v = x.val();
    if v < lo {
        T::cst(lo)
    } else if v > hi {
        T::cst(hi)
    } else {
        x
    }
}

/// The larger of two values (by value).
#[inline(always)]
pub fn max<T: Real>(a: T, b: T) -> T {
    if b.val() > a.val() {
        b
    } else {
        a
    }
}

/// The smaller of two values (by value).
#[inline(always)]
pub fn min<T: Real>(a: T, b: T) -> T {
    if b.val() < a.val() {
        b
    } else {
        a
    }
}

/// Outcome of [`minimize`].
#[derive(Debug, Clone)]
pub struct MinResult<const N: usize> {
    /// The minimiser.
    pub x: [f64; N],
    /// Iterations used.
    pub iterations: usize,
    /// Whether the gradient tolerance was met.
    pub converged: bool,
}

/// Minimise `f` (value and gradient) with BFGS and a Wolfe line search from `x0`.
/// `f` returns `None` where the objective is not finite (the line search backs off).
pub fn minimize<const N: usize>(
    mut f: impl FnMut(&[f64; N]) -> Option<(f64, [f64; N])>,
    x0: [f64; N],
    max_iter: usize,
    gtol: f64,
) -> Option<MinResult<N>> {
    let mut x = x0;
    let (mut fx, mut g) = f(&x)?;
    let mut h = [[0.0; N]; N];
    for (i, row) in h.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    let norm = |g: &[f64; N]| g.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    for it in 0..max_iter {
        if norm(&g) < gtol {
            return Some(MinResult {
                x,
                iterations: it,
                converged: true,
            });
        }
        let mut p = [0.0; N];
        for i in 0..N {
            p[i] = -(0..N).map(|j| h[i][j] * g[j]).sum::<f64>();
        }
        let mut slope: f64 = p.iter().zip(&g).map(|(a, b)| a * b).sum();
        if slope >= 0.0 {
            // Not a descent direction: reset to steepest descent.
            for (i, row) in h.iter_mut().enumerate() {
                *row = [0.0; N];
                row[i] = 1.0;
            }
            p = g.map(|v| -v);
            slope = -g.iter().map(|v| v * v).sum::<f64>();
        }
        // Never move a (log-)parameter by more than MAX_MOVE in one step: far probes cost much
        // (slowly converging series) and teach nothing.
        const MAX_MOVE: f64 = 1.0;
        let max_step = MAX_MOVE / norm(&p).max(1e-300);
        let mut step = max_step.min(1.0);
        // Wolfe line search (bracketing by bisection / expansion).
        let (c1, c2) = (1e-4, 0.9);
        // Near the minimum, decreases of f fall below its rounding error; there the sufficient
        // decrease test is replaced by Hager & Zhang's approximate Wolfe conditions (f may not
        // rise by more than `f_eps`, the directional derivative must have flattened), so the
        // exact gradient keeps driving the search instead of bisecting on noise.
        let f_eps = 1e-12 * fx.abs();
        let (mut lo, mut hi) = (0.0f64, f64::INFINITY);
        let mut accepted = None;
        for _ in 0..60 {
            let mut xn = x;
            for i in 0..N {
                xn[i] += step * p[i];
            }
            match f(&xn) {
                Some((fnew, gnew))
                    if fnew <= fx + c1 * step * slope
                        || (fnew <= fx + f_eps
                            && gnew.iter().zip(&p).map(|(a, b)| a * b).sum::<f64>()
                                <= (2.0 * c1 - 1.0) * slope) =>
                {
                    let dslope: f64 = gnew.iter().zip(&p).map(|(a, b)| a * b).sum();
                    if dslope < c2 * slope {
                        lo = step;
                        accepted = Some((xn, fnew, gnew));
                        step = if hi.is_finite() {
                            0.5 * (lo + hi)
                        } else if step >= max_step {
                            break;
                        } else {
                            (2.0 * step).min(max_step)
                        };
                        continue;
                    }
                    accepted = Some((xn, fnew, gnew));
                    break;
                }
                _ => {
                    hi = step;
                    step = 0.5 * (lo + hi);
                }
            }
        }
        let (xn, fnew, gnew) = accepted?;
        let mut s = [0.0; N];
        let mut y = [0.0; N];
        for i in 0..N {
            s[i] = xn[i] - x[i];
            y[i] = gnew[i] - g[i];
        }
        let sy: f64 = s.iter().zip(&y).map(|(a, b)| a * b).sum();
        if sy > 1e-300 {
            if it == 0 {
                // Scale the initial inverse Hessian (Nocedal & Wright 6.20).
                let yy: f64 = y.iter().map(|v| v * v).sum();
                let k = sy / yy;
                for (i, row) in h.iter_mut().enumerate() {
                    *row = [0.0; N];
                    row[i] = k;
                }
            }
            let rho = 1.0 / sy;
            let mut hy = [0.0; N];
            for i in 0..N {
                hy[i] = (0..N).map(|j| h[i][j] * y[j]).sum();
            }
            let yhy: f64 = y.iter().zip(&hy).map(|(a, b)| a * b).sum();
            for i in 0..N {
                for j in 0..N {
                    h[i][j] += -rho * (hy[i] * s[j] + s[i] * hy[j])
                        + (rho * rho * yhy + rho) * s[i] * s[j];
                }
            }
        }
        let df = (fx - fnew).abs();
        x = xn;
        fx = fnew;
        g = gnew;
        if df == 0.0 && norm(&g) < gtol * 1e3 {
            return Some(MinResult {
                x,
                iterations: it + 1,
                converged: true,
            });
        }
    }
    Some(MinResult {
        x,
        iterations: max_iter,
        converged: norm(&g) < gtol,
    })
}

/// Invert a small symmetric positive-definite matrix (Gauss-Jordan with pivoting). `None` when
/// singular or not positive definite.
pub fn invert_spd<const N: usize>(m: [[f64; N]; N]) -> Option<[[f64; N]; N]> {
    let mut a = m;
    let mut inv = [[0.0; N]; N];
    for (i, row) in inv.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    for col in 0..N {
        let piv = (col..N).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[piv][col].abs() < 1e-300 {
            return None;
        }
        a.swap(col, piv);
        inv.swap(col, piv);
        let d = a[col][col];
        for j in 0..N {
            a[col][j] /= d;
            inv[col][j] /= d;
        }
        for i in 0..N {
            if i != col {
                let f = a[i][col];
                for j in 0..N {
                    a[i][j] -= f * a[col][j];
                    inv[i][j] -= f * inv[col][j];
                }
            }
        }
    }
    if (0..N).all(|i| inv[i][i] > 0.0 && inv[i][i].is_finite()) {
        Some(inv)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bfgs_minimises_rosenbrock() {
        let r = minimize(
            |x: &[f64; 2]| {
                let f = (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
                let g = [
                    -2.0 * (1.0 - x[0]) - 400.0 * x[0] * (x[1] - x[0] * x[0]),
                    200.0 * (x[1] - x[0] * x[0]),
                ];
                Some((f, g))
            },
            [-1.2, 1.0],
            500,
            1e-10,
        )
        .unwrap();
        assert!(r.converged);
        assert!((r.x[0] - 1.0).abs() < 1e-6 && (r.x[1] - 1.0).abs() < 1e-6);
    }
}
