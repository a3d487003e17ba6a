//! A tiny numeric abstraction so that the FSRS formulas are written once and evaluated either in
//! plain `f64` (scheduling) or in forward-mode dual numbers carrying the gradient with respect to
//! the 21 parameters (fitting).

#![allow(clippy::needless_range_loop)] // index loops over the gradient read best here

use std::ops::{Add, Div, Mul, Neg, Sub};

/// Number of FSRS-6 parameters.
pub(crate) const NP: usize = 21;

/// The operations the FSRS formulas need.
pub(crate) trait Real:
    Copy
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    /// A constant.
    fn c(x: f64) -> Self;
    /// The value.
    fn v(self) -> f64;
    /// `e^self`.
    fn exp(self) -> Self;
    /// Natural log.
    fn ln(self) -> Self;
    /// `self^e` (`self > 0`).
    fn pow(self, e: Self) -> Self;
}

impl Real for f64 {
    #[inline(always)]
    fn c(x: f64) -> Self {
        x
    }
    #[inline(always)]
    fn v(self) -> f64 {
        self
    }
    #[inline(always)]
    fn exp(self) -> Self {
        f64::exp(self)
    }
    #[inline(always)]
    fn ln(self) -> Self {
        f64::ln(self)
    }
    #[inline(always)]
    fn pow(self, e: Self) -> Self {
        f64::powf(self, e)
    }
}

/// Clamp by value (the derivative is zero outside the range, as in autograd's `clamp`).
#[inline(always)]
pub(crate) fn clamp<T: Real>(x: T, lo: f64, hi: f64) -> T {
    let v = x.v();
    if v < lo {
        T::c(lo)
    } else if v > hi {
        T::c(hi)
    } else {
        x
    }
}

/// The larger of two values (by value).
#[inline(always)]
pub(crate) fn max<T: Real>(a: T, b: T) -> T {
    if b.v() > a.v() {
        b
    } else {
        a
    }
}

/// The smaller of two values (by value).
#[inline(always)]
pub(crate) fn min<T: Real>(a: T, b: T) -> T {
    if b.v() < a.v() {
        b
    } else {
        a
    }
}

/// A dual number: a value and its gradient with respect to the 21 parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Dual {
    pub v: f64,
    pub d: [f64; NP],
}

impl Dual {
    /// The `i`-th parameter as a variable.
    pub fn var(v: f64, i: usize) -> Dual {
        let mut d = [0.0; NP];
        d[i] = 1.0;
        Dual { v, d }
    }
    #[inline(always)]
    fn scale(self, v: f64, k: f64) -> Dual {
        let mut d = self.d;
        for x in d.iter_mut() {
            *x *= k;
        }
        Dual { v, d }
    }
}

impl Add for Dual {
    type Output = Dual;
    #[inline(always)]
    fn add(self, o: Dual) -> Dual {
        let mut d = self.d;
        for (x, y) in d.iter_mut().zip(o.d.iter()) {
            *x += y;
        }
        Dual { v: self.v + o.v, d }
    }
}
impl Sub for Dual {
    type Output = Dual;
    #[inline(always)]
    fn sub(self, o: Dual) -> Dual {
        let mut d = self.d;
        for (x, y) in d.iter_mut().zip(o.d.iter()) {
            *x -= y;
        }
        Dual { v: self.v - o.v, d }
    }
}
impl Mul for Dual {
    type Output = Dual;
    #[inline(always)]
    fn mul(self, o: Dual) -> Dual {
        let mut d = [0.0; NP];
        for i in 0..NP {
            d[i] = self.d[i] * o.v + o.d[i] * self.v;
        }
        Dual { v: self.v * o.v, d }
    }
}
impl Div for Dual {
    type Output = Dual;
    #[inline(always)]
    fn div(self, o: Dual) -> Dual {
        let inv = 1.0 / o.v;
        let v = self.v * inv;
        let mut d = [0.0; NP];
        for i in 0..NP {
            d[i] = (self.d[i] - v * o.d[i]) * inv;
        }
        Dual { v, d }
    }
}
impl Neg for Dual {
    type Output = Dual;
    #[inline(always)]
    fn neg(self) -> Dual {
        self.scale(-self.v, -1.0)
    }
}

impl Real for Dual {
    fn c(x: f64) -> Self {
        Dual { v: x, d: [0.0; NP] }
    }
    fn v(self) -> f64 {
        self.v
    }
    fn exp(self) -> Self {
        let e = self.v.exp();
        self.scale(e, e)
    }
    fn ln(self) -> Self {
        self.scale(self.v.ln(), 1.0 / self.v)
    }
    fn pow(self, e: Self) -> Self {
        // a^b = exp(b ln a)
        (e * self.ln()).exp()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dual_gradient_matches_finite_differences() {
        let f = |a: Dual, b: Dual| (a * b + a.pow(b) / b.exp()).ln() - a.pow(Dual::c(1.5));
        let (a, b) = (1.7, 0.6);
        let r = f(Dual::var(a, 0), Dual::var(b, 1));
        let h = 1e-6;
        let g = |a: f64, b: f64| f(Dual::c(a), Dual::c(b)).v;
        let da = (g(a + h, b) - g(a - h, b)) / (2.0 * h);
        let db = (g(a, b + h) - g(a, b - h)) / (2.0 * h);
        assert!((r.d[0] - da).abs() < 1e-7, "{} {}", r.d[0], da);
        assert!((r.d[1] - db).abs() < 1e-7, "{} {}", r.d[1], db);
    }
}
