//! The FSRS formulas are written once over [`Real`] (from `crate::num`) and evaluated either in
//! plain `f64` (scheduling) or in forward-mode dual numbers carrying the gradient with respect to
//! the 21 parameters (fitting).

pub(crate) use crate::num::{clamp, max, min, Real};

/// Number of FSRS-6 parameters.
pub(crate) const NP: usize = 21;

/// A dual number: a value and its gradient with respect to the 21 parameters.
pub(crate) type Dual = crate::num::Dual<NP>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dual_gradient_matches_finite_differences() {
        let f = |a: Dual, b: Dual| (a * b + a.pow(b) / b.exp()).ln() - a.pow(Dual::cst(1.5));
        let (a, b) = (1.7, 0.6);
        let r = f(Dual::var(a, 0), Dual::var(b, 1));
        let h = 1e-6;
        let g = |a: f64, b: f64| f(Dual::cst(a), Dual::cst(b)).val();
        let da = (g(a + h, b) - g(a - h, b)) / (2.0 * h);
        let db = (g(a, b + h) - g(a, b - h)) / (2.0 * h);
        assert!((r.d[0] - da).abs() < 1e-7, "{} {}", r.d[0], da);
        assert!((r.d[1] - db).abs() < 1e-7, "{} {}", r.d[1], db);
    }
}
