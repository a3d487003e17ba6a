//! Numerical building blocks shared by the fitted models: `ln Γ`, digamma, and forward-mode dual
//! numbers, so a formula is written once over [`Real`] and evaluated either in plain `f64` or with
//! its exact gradient (BTYD likelihoods in `churn`, FSRS in `repetition`).

#![allow(clippy::needless_range_loop)] // small dense matrices read best indexed

use std::ops::{Add, Div, Mul, Neg, Sub};

/// `ln Γ(x)` for `x > 0` (Lanczos, g = 7, n = 9; relative error ≈ 1e-15).
pub(crate) fn ln_gamma(x: f64) -> f64 {
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
pub(crate) fn digamma(mut x: f64) -> f64 {
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
pub(crate) trait Real:
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
pub(crate) struct Dual<const N: usize> {
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
pub(crate) fn clamp<T: Real>(x: T, lo: f64, hi: f64) -> T {
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
pub(crate) fn max<T: Real>(a: T, b: T) -> T {
    if b.val() > a.val() {
        b
    } else {
        a
    }
}

/// The smaller of two values (by value).
#[inline(always)]
pub(crate) fn min<T: Real>(a: T, b: T) -> T {
    if b.val() < a.val() {
        b
    } else {
        a
    }
}
