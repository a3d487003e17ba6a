//! Numerical building blocks of the buy-till-you-die models: the Gauss hypergeometric function
//! `₂F₁` as a rescaled power series (`ln Γ`, digamma, the dual numbers and the BFGS minimiser are
//! generic: they live in `edupulse_learn::num`).
//!
//! Everything is `f64`; nothing here allocates per evaluation.

#![allow(clippy::needless_range_loop)] // small dense matrices read best indexed

pub(crate) use crate::num::{invert_spd, ln_gamma, minimize, Dual, Real};

/// `ln(eᵃ + eᵇ)`.
pub(crate) fn log_add_exp<T: Real>(a: T, b: T) -> T {
    let (hi, lo) = if a.val() >= b.val() { (a, b) } else { (b, a) };
    if lo.val() == f64::NEG_INFINITY {
        return hi;
    }
    // ln(1 + e) rather than ln1p(e) unless e is tiny: the absolute error (what a log-likelihood
    // term needs) is the same ~1e-16, and glibc's `log` is about twice as fast as its `log1p`.
    let e = (lo - hi).exp();
    if e.val() < 1e-3 {
        hi + e.ln1p()
    } else {
        hi + (T::cst(1.0) + e).ln()
    }
}

/// `ln(eᵃ − eᵇ)` for `a > b` (NaN value otherwise, caught by the callers' finiteness checks).
pub(crate) fn log_sub_exp<T: Real>(a: T, b: T) -> T {
    if b.val() == f64::NEG_INFINITY {
        return a;
    }
    a + (T::cst(1.0) - (b - a).exp()).ln()
}

/// Why `₂F₁` could not be computed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum HypError {
    /// `|z| ≥ 1` or a non-positive `c`.
    Domain,
    /// The series did not reach full precision within the term budget.
    NoConvergence,
}

/// Most terms a power series of `₂F₁` may take. Near `z = 1` the terms decay like `zⁿ`, so about
/// `39 / (1 − z)` are needed for full precision: a fit wandering towards a boundary of the
/// parameter space (Pareto/NBD with `s, β → ∞`: no evidence of dropout) would otherwise spend
/// minutes per likelihood evaluation. Past the budget the series reports
/// [`HypError::NoConvergence`] at once (the line search then backs off).
const SERIES_BUDGET: usize = 200_000;

/// Whether a series with asymptotic term ratio `z` needs more than [`SERIES_BUDGET`] terms.
fn beyond_budget(z: f64) -> bool {
    z > 0.0 && -39.2 / z.ln() > SERIES_BUDGET as f64
}

/// `ln ₂F₁(a, b; c; z)` for `0 ≤ z < 1`, `a, b, c > 0`, by the power series, summed with a
/// running rescaling so that huge intermediate terms (large `a`, `b`) neither overflow nor lose
/// precision: all terms are positive, so the sum is exact to rounding. Derivatives (dual numbers)
/// are carried term by term.
pub(crate) fn ln_hyp2f1<T: Real>(a: T, b: T, c: T, z: T) -> Result<T, HypError> {
    let zv = z.val();
    if !(0.0..1.0).contains(&zv) || c.val() <= 0.0 || a.val() <= 0.0 || b.val() <= 0.0 {
        return Err(HypError::Domain);
    }
    if beyond_budget(zv) {
        return Err(HypError::NoConvergence);
    }
    const MAX_TERMS: usize = 2 * SERIES_BUDGET;
    // term_n / sum kept relative to exp(offset).
    let mut offset = T::cst(0.0);
    let mut term = T::cst(1.0);
    let mut sum = T::cst(1.0);
    for n in 0..MAX_TERMS {
        let nf = n as f64;
        let ratio = (a + T::cst(nf)) * (b + T::cst(nf)) / ((c + T::cst(nf)) * T::cst(nf + 1.0)) * z;
        term = term * ratio;
        sum = sum + term;
        let tv = term.val();
        if sum.val() > 1e250 {
            let k = 1e-250;
            term = term.scale(k);
            sum = sum.scale(k);
            offset = offset + T::cst(250.0 * std::f64::consts::LN_10);
        }
        // Terms decrease geometrically once the ratio is below 1; stop when negligible.
        let rv = ratio.val();
        if rv < 1.0 && tv <= sum.val() * 1e-17 * (1.0 - rv) {
            return Ok(offset + sum.ln());
        }
        if tv == 0.0 {
            return Ok(offset + sum.ln());
        }
    }
    Err(HypError::NoConvergence)
}

/// `ln ₂F₁(a, b; a + 1; z)` for `0 ≤ z < 1` (the Pareto/NBD case), summed in `f64` with the
/// partial derivatives with respect to `a`, `b` and `z` accumulated term by term
/// (`∂ ln tₙ/∂a = Σₖ<ₙ 1/(a+k) − 1/(a+k+1)`, `∂ ln tₙ/∂b = Σₖ<ₙ 1/(b+k)`, `∂ ln tₙ/∂z = n/z`),
/// then lifted into `T`: several times cheaper than carrying dual numbers through the series.
pub(crate) fn ln_hyp2f1_c_a1<T: Real>(a: T, b: T, z: T) -> Result<T, HypError> {
    let (av, bv, zv) = (a.val(), b.val(), z.val());
    if !(0.0..1.0).contains(&zv) || av <= 0.0 || bv <= 0.0 {
        return Err(HypError::Domain);
    }
    if beyond_budget(zv) {
        return Err(HypError::NoConvergence);
    }
    const MAX_TERMS: usize = 2 * SERIES_BUDGET;
    let mut term = 1.0f64;
    let (mut sum, mut sa, mut sb, mut sz) = (1.0f64, 0.0f64, 0.0f64, 0.0f64);
    let (mut la, mut lb) = (0.0f64, 0.0f64); // ∂ ln tₙ / ∂a, ∂b
    let mut offset = 0.0f64;
    for n in 0..MAX_TERMS {
        let nf = n as f64;
        let ratio = (av + nf) / (av + nf + 1.0) * (bv + nf) / (nf + 1.0) * zv;
        la += 1.0 / (av + nf) - 1.0 / (av + nf + 1.0);
        lb += 1.0 / (bv + nf);
        term *= ratio;
        sum += term;
        sa += term * la;
        sb += term * lb;
        sz += term * (nf + 1.0);
        if sum > 1e250 {
            let k = 1e-250;
            term *= k;
            sum *= k;
            sa *= k;
            sb *= k;
            sz *= k;
            offset += 250.0 * std::f64::consts::LN_10;
        }
        if (ratio < 1.0 && term <= sum * 1e-17 * (1.0 - ratio)) || term == 0.0 {
            let dz = if zv > 0.0 {
                sz / (zv * sum)
            } else {
                av * bv / (av + 1.0)
            };
            return Ok(T::lift(
                offset + sum.ln(),
                &[a, b, z],
                &[sa / sum, sb / sum, dz],
            ));
        }
    }
    Err(HypError::NoConvergence)
}

/// [`ln_hyp2f1_c_a1`] at two arguments `z1 ≥ z2` sharing `a` and `b` (one pass over the terms).
pub(crate) fn ln_hyp2f1_c_a1_pair<T: Real>(a: T, b: T, z1: T, z2: T) -> Result<(T, T), HypError> {
    let (av, bv, z1v, z2v) = (a.val(), b.val(), z1.val(), z2.val());
    if !(0.0..1.0).contains(&z1v)
        || !(0.0..1.0).contains(&z2v)
        || z2v > z1v
        || av <= 0.0
        || bv <= 0.0
    {
        return Err(HypError::Domain);
    }
    if z1v == 0.0 {
        return Ok((ln_hyp2f1_c_a1(a, b, z1)?, ln_hyp2f1_c_a1(a, b, z2)?));
    }
    if beyond_budget(z1v) {
        return Err(HypError::NoConvergence);
    }
    const MAX_TERMS: usize = 2 * SERIES_BUDGET;
    // Per argument: term, sum, Σ t·∂a, Σ t·∂b, Σ t·n, done.
    let mut acc = [[1.0f64, 1.0, 0.0, 0.0, 0.0]; 2];
    let mut offset = [0.0f64; 2];
    let mut done = [false; 2];
    let zs = [z1v, z2v];
    let (mut la, mut lb) = (0.0f64, 0.0f64);
    for n in 0..MAX_TERMS {
        let nf = n as f64;
        let inv = 1.0 / (av + nf + 1.0);
        let common = (av + nf) * inv * (bv + nf) / (nf + 1.0);
        la += inv / (av + nf);
        lb += 1.0 / (bv + nf);
        for k in 0..2 {
            if done[k] {
                continue;
            }
            let ratio = common * zs[k];
            let c = &mut acc[k];
            c[0] *= ratio;
            c[1] += c[0];
            c[2] += c[0] * la;
            c[3] += c[0] * lb;
            c[4] += c[0] * (nf + 1.0);
            if c[1] > 1e250 {
                for v in c.iter_mut() {
                    *v *= 1e-250;
                }
                offset[k] += 250.0 * std::f64::consts::LN_10;
            }
            if (ratio < 1.0 && c[0] <= c[1] * 1e-17 * (1.0 - ratio)) || c[0] == 0.0 {
                done[k] = true;
            }
        }
        if done[0] && done[1] {
            let out = |k: usize, z: T| {
                let c = &acc[k];
                let dz = if zs[k] > 0.0 {
                    c[4] / (zs[k] * c[1])
                } else {
                    av * bv / (av + 1.0)
                };
                T::lift(
                    offset[k] + c[1].ln(),
                    &[a, b, z],
                    &[c[2] / c[1], c[3] / c[1], dz],
                )
            };
            return Ok((out(0, z1), out(1, z2)));
        }
    }
    Err(HypError::NoConvergence)
}

/// The power-series coefficients of `₂F₁(a, b; a + 1; z)` for fixed `a`, `b` (the Pareto/NBD
/// case), shared by every customer with the same frequency: each customer then costs a Horner
/// evaluation (multiply-adds only) instead of a series with three divisions per term.
///
/// Per term `n`: `cₙ` (the coefficient of `zⁿ`), `cₙ ∂ln cₙ/∂a`, `cₙ ∂ln cₙ/∂b` and `n cₙ`; the
/// series is truncated where the next terms at the largest `z` of the group sum to less than
/// `10⁻¹⁷` (every sum is ≥ 1, so this bounds the relative error at every smaller `z` too).
#[derive(Debug, Clone, Default)]
pub(crate) struct Hyp2f1A1Table {
    coef: Vec<[f64; 4]>,
    /// `∂/∂z ₂F₁` at `z = 0` (`ab/(a+1)`), whatever the truncation.
    dz0: f64,
}

impl Hyp2f1A1Table {
    /// Most terms a table may hold; beyond it (or when coefficients would exceed `10²⁵⁰`) the
    /// caller falls back to [`ln_hyp2f1_c_a1_pair`], which rescales as it goes.
    const MAX_TERMS: usize = 20_000;

    /// Fill the table for `a`, `b` valid up to `z_max < 1`; `false` when the caller must fall
    /// back to the rescaled series.
    pub(crate) fn fill(&mut self, a: f64, b: f64, z_max: f64) -> bool {
        self.coef.clear();
        if !(0.0..1.0).contains(&z_max) || a <= 0.0 || b <= 0.0 {
            return false;
        }
        self.dz0 = a * b / (a + 1.0);
        let (mut c, mut la, mut lb, mut zn) = (1.0f64, 0.0f64, 0.0f64, 1.0f64);
        for n in 0..Self::MAX_TERMS {
            let nf = n as f64;
            self.coef.push([c, c * la, c * lb, nf * c]);
            let inv = 1.0 / (a + nf + 1.0);
            let step = (a + nf) * inv * (b + nf) / (nf + 1.0);
            let ratio = step * z_max;
            // The term just stored bounds the tail once the term ratio is below 1.
            if (ratio < 1.0 && c * zn * ratio <= 1e-17 * (1.0 - ratio)) || c * zn == 0.0 {
                return true;
            }
            la += inv / (a + nf);
            lb += 1.0 / (b + nf);
            c *= step;
            zn *= z_max;
            if !c.is_finite() || c >= 1e250 {
                return false;
            }
        }
        false
    }

    /// `(ln ₂F₁(a, b; a + 1; z₁), ln ₂F₁(a, b; a + 1; z₂))` for `z₁, z₂ ≤ z_max` of [`Self::fill`],
    /// with derivatives with respect to `a`, `b` and `z` lifted into `T`.
    pub(crate) fn eval_pair<T: Real>(&self, a: T, b: T, z1: T, z2: T) -> (T, T) {
        let (u, v) = (z1.val(), z2.val());
        // Horner in z² over the even and the odd coefficients separately: twice the independent
        // multiply-add chains of a plain Horner loop (which is latency-bound).
        let (u2, v2) = (u * u, v * v);
        let mut e = [0.0f64; 8];
        let mut o = [0.0f64; 8];
        let mut pairs = self.coef.chunks_exact(2);
        let rest = pairs.remainder().first();
        if let Some(c) = rest {
            e[..4].copy_from_slice(c);
            e[4..].copy_from_slice(c);
        }
        for pc in pairs.by_ref().rev() {
            let (c, d) = (&pc[0], &pc[1]);
            for k in 0..4 {
                o[k] = o[k] * u2 + d[k];
                o[k + 4] = o[k + 4] * v2 + d[k];
            }
            // The remainder (an even index) is the highest power: it went in first.
            for k in 0..4 {
                e[k] = e[k] * u2 + c[k];
                e[k + 4] = e[k + 4] * v2 + c[k];
            }
        }
        let mut s = [0.0f64; 8];
        for k in 0..4 {
            s[k] = e[k] + u * o[k];
            s[k + 4] = e[k + 4] + v * o[k + 4];
        }
        let c1 = self.dz0;
        let out = |k: usize, zv: f64, z: T| {
            let sum = s[k];
            let dz = if zv > 0.0 { s[k + 3] / (zv * sum) } else { c1 };
            T::lift(sum.ln(), &[a, b, z], &[s[k + 1] / sum, s[k + 2] / sum, dz])
        };
        (out(0, u, z1), out(4, v, z2))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::num::digamma;

    #[test]
    fn ln_gamma_matches_known_values() {
        assert!((ln_gamma(1.0)).abs() < 1e-14);
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-14);
        // ln Γ(10) = ln 362880
        assert!((ln_gamma(10.0) - 362_880f64.ln()).abs() < 1e-12);
        assert!((ln_gamma(0.1) - 2.252_712_651_734_206).abs() < 1e-13);
    }

    #[test]
    fn digamma_matches_known_values() {
        // ψ(1) = −γ
        assert!((digamma(1.0) + 0.577_215_664_901_532_9).abs() < 1e-13);
        assert!((digamma(0.5) + 1.963_510_026_021_423_5).abs() < 1e-13);
        // ψ is the derivative of ln Γ.
        let h = 1e-5;
        let x = 3.7;
        let fd = (ln_gamma(x + h) - ln_gamma(x - h)) / (2.0 * h);
        assert!((digamma(x) - fd).abs() < 1e-8);
    }

    #[test]
    fn hyp2f1_closed_forms() {
        // ₂F₁(1, 1; 2; z) = −ln(1−z)/z
        for z in [0.1, 0.5, 0.9, 0.99] {
            let v = ln_hyp2f1(1.0, 1.0, 2.0, z).unwrap().exp();
            let e = -(1.0 - z).ln() / z;
            assert!((v - e).abs() / e < 1e-13, "z={z}: {v} vs {e}");
        }
        // ₂F₁(a, b; b; z) = (1−z)^(−a), here with large a (rescaling path).
        let v = ln_hyp2f1(800.0, 3.0, 3.0, 0.7).unwrap();
        assert!((v - (-800.0 * 0.3f64.ln())).abs() < 1e-9);
        assert_eq!(ln_hyp2f1(1.0, 1.0, 2.0, 1.0), Err(HypError::Domain));
    }

    #[test]
    fn dual_derivatives_match_finite_differences() {
        let f = |a: Dual<2>, b: Dual<2>| {
            ln_hyp2f1(a + b, b, a + Dual::cst(2.0), Dual::cst(0.4)).unwrap() + a.lgamma() * b.ln()
        };
        let (a, b) = (1.3, 2.1);
        let d = f(Dual::var(a, 0), Dual::var(b, 1));
        let fv = |a: f64, b: f64| f(Dual::cst(a), Dual::cst(b)).v;
        let h = 1e-6;
        let da = (fv(a + h, b) - fv(a - h, b)) / (2.0 * h);
        let db = (fv(a, b + h) - fv(a, b - h)) / (2.0 * h);
        assert!((d.d[0] - da).abs() < 1e-7, "{} {}", d.d[0], da);
        assert!((d.d[1] - db).abs() < 1e-7, "{} {}", d.d[1], db);
    }

    #[test]
    fn specialised_hyp2f1_matches_the_general_series_and_its_derivatives() {
        for (a, b, z) in [
            (1.3, 2.1, 0.4),
            (30.5, 31.2, 0.05),
            (0.7, 0.9, 0.0),
            (2.0, 800.0, 0.6),
        ] {
            let g = ln_hyp2f1(
                Dual::<3>::var(a, 0),
                Dual::var(b, 1),
                Dual::var(a, 0) + Dual::cst(1.0),
                Dual::var(z, 2),
            )
            .unwrap();
            let s = ln_hyp2f1_c_a1(Dual::<3>::var(a, 0), Dual::var(b, 1), Dual::var(z, 2)).unwrap();
            let (p1, p2) = ln_hyp2f1_c_a1_pair(
                Dual::<3>::var(a, 0),
                Dual::var(b, 1),
                Dual::var(z, 2),
                Dual::var(z * 0.5, 2),
            )
            .unwrap();
            let h = ln_hyp2f1_c_a1(Dual::<3>::var(a, 0), Dual::var(b, 1), Dual::var(z * 0.5, 2))
                .unwrap();
            assert!(
                (p1.v - s.v).abs() < 1e-13 * s.v.abs().max(1.0)
                    && (p2.v - h.v).abs() < 1e-13 * h.v.abs().max(1.0)
            );
            for i in 0..3 {
                assert!((p1.d[i] - s.d[i]).abs() < 1e-12 * s.d[i].abs().max(1.0));
                assert!((p2.d[i] - h.d[i]).abs() < 1e-12 * h.d[i].abs().max(1.0));
            }
            assert!(
                (g.v - s.v).abs() < 1e-11 * g.v.abs().max(1.0),
                "{a} {b} {z}: {} {}",
                g.v,
                s.v
            );
            for i in 0..3 {
                assert!(
                    (g.d[i] - s.d[i]).abs() < 1e-9 * g.d[i].abs().max(1.0),
                    "{a} {b} {z} d{i}: {} {}",
                    g.d[i],
                    s.d[i]
                );
            }
        }
    }

    #[test]
    fn coefficient_table_matches_the_series_and_its_derivatives() {
        // (a, b, z_max) with pairs below z_max, including z = 0, odd and even table lengths.
        for (a, b, zm) in [
            (1.3, 2.1, 0.4),
            (30.5, 31.2, 0.05),
            (0.7, 0.9, 0.0),
            (2.0, 80.0, 0.6),
            (0.4, 1.6, 0.93),
        ] {
            let mut t = Hyp2f1A1Table::default();
            assert!(t.fill(a, b, zm));
            for (z1, z2) in [(zm, zm * 0.5), (zm * 0.3, 0.0), (zm, zm)] {
                let var = |v: f64, i: usize| Dual::<3>::var(v, i);
                let (p1, p2) = t.eval_pair(var(a, 0), var(b, 1), var(z1, 2), var(z2, 2));
                let (s1, s2) =
                    ln_hyp2f1_c_a1_pair(var(a, 0), var(b, 1), var(z1, 2), var(z2, 2)).unwrap();
                for (x, y) in [(p1, s1), (p2, s2)] {
                    assert!(
                        (x.v - y.v).abs() < 1e-13 * y.v.abs().max(1.0),
                        "{a} {b} {zm}"
                    );
                    for i in 0..3 {
                        assert!(
                            (x.d[i] - y.d[i]).abs() < 1e-11 * y.d[i].abs().max(1.0),
                            "{a} {b} {zm} d{i}: {} {}",
                            x.d[i],
                            y.d[i]
                        );
                    }
                }
            }
        }
        // Out of the domain, or too many terms: the caller must fall back.
        let mut t = Hyp2f1A1Table::default();
        assert!(!t.fill(1.0, 1.0, 1.0));
        assert!(!t.fill(1.0, 1e6, 0.999_999));
    }
}
