//! Exact beta-binomial comparison of two rates: with Beta(a, b) priors, each arm's posterior is
//! Beta(a + conversions, b + units − conversions), and
//!
//! `P(p_B > p_A) = Σ_{i=0}^{α_B−1} B(α_A + i, β_A + β_B) / ((β_B + i) B(1 + i, β_B) B(α_A, β_A))`
//!
//! (Evan Miller, "Formulas for Bayesian A/B testing", 2015) — a finite sum, no Monte Carlo. The
//! sum runs over whichever of the four shapes is smallest (the identities
//! `P(B > A) = 1 − P(A > B)` and `P(p_B > p_A) = P(1 − p_A > 1 − p_B)`), term to term by the
//! ratio `(α_A + i)(β_B + i) / ((α_A + β_A + β_B + i)(1 + i))`, in logs with a running
//! log-sum-exp so nothing underflows. The expected losses follow from the same function
//! (Chris Stucchio's identities): `E[max(p_B − p_A, 0)] = E p_B · h(α_A, β_A, α_B + 1, β_B) −
//! E p_A · h(α_A + 1, β_A, α_B, β_B)`.
//!
//! Losses are in absolute rate units; the lift and its interval use the posterior means and
//! variances (exact) with a normal approximation for the interval (delta method for relative).

use super::dist::{ln_beta, norm_ppf};
use super::stats::{ArmStats, Difference, Method, TestParams, TestResult};
use crate::error::{CoreError, Result};

/// `Σ_{i<α_B}` term form of `P(X_B > X_A)`, X ~ Beta; `α_B` a whole number.
fn h_sum(aa: f64, ba: f64, ab: f64, bb: f64) -> f64 {
    let n = ab.round() as u64;
    let mut lt = ln_beta(aa, ba + bb) - bb.ln() - ln_beta(1.0, bb) - ln_beta(aa, ba);
    // running log-sum-exp
    let mut m = lt;
    let mut s = 1.0;
    for i in 1..n {
        let i0 = (i - 1) as f64;
        lt += ((aa + i0) * (bb + i0)).ln() - ((aa + ba + bb + i0) * (1.0 + i0)).ln();
        if lt > m {
            s = s * (m - lt).exp() + 1.0;
            m = lt;
        } else {
            s += (lt - m).exp();
        }
    }
    (m + s.ln()).exp()
}

/// Exact `P(X_B > X_A)` for `X_A ~ Beta(aa, ba)`, `X_B ~ Beta(ab, bb)`, whole-number shapes.
pub fn prob_b_beats_a(aa: f64, ba: f64, ab: f64, bb: f64) -> f64 {
    let smallest = ab.min(aa).min(ba).min(bb);
    let p = if smallest == ab {
        h_sum(aa, ba, ab, bb)
    } else if smallest == aa {
        1.0 - h_sum(ab, bb, aa, ba)
    } else if smallest == ba {
        // P(p_B > p_A) = P(q_A > q_B), q = 1 − p ~ Beta(β, α)
        h_sum(bb, ab, ba, aa)
    } else {
        1.0 - h_sum(ba, aa, bb, ab)
    };
    p.clamp(0.0, 1.0)
}

/// Expected losses `(E[max(p_B − p_A, 0)], E[max(p_A − p_B, 0)])`, exact.
pub fn expected_losses(aa: f64, ba: f64, ab: f64, bb: f64) -> (f64, f64) {
    let ea = aa / (aa + ba);
    let eb = ab / (ab + bb);
    let up = eb * prob_b_beats_a(aa, ba, ab + 1.0, bb) - ea * prob_b_beats_a(aa + 1.0, ba, ab, bb);
    let up = up.max(0.0);
    // E[max(A − B, 0)] = E[max(B − A, 0)] − (E B − E A)
    (up, (up - (eb - ea)).max(0.0))
}

/// The beta-binomial test of two binary arms.
pub fn beta_test(a: &ArmStats, b: &ArmStats, p: &TestParams) -> Result<TestResult> {
    if !(a.binary && b.binary) {
        return Err(CoreError::param(
            "method",
            "`beta` needs a binary metric (units and conversions)",
        ));
    }
    let (pa, pb) = p.beta_prior;
    let (aa, ba) = (pa + a.conversions, pb + a.n - a.conversions);
    let (ab, bb) = (pa + b.conversions, pb + b.n - b.conversions);
    for (arm, v) in [("control", aa), ("treatment", ab)] {
        if v.fract() != 0.0 {
            return Err(CoreError::param(
                &format!("{arm}.conversions"),
                "the exact beta-binomial test needs whole-number counts",
            ));
        }
    }
    let chance = prob_b_beats_a(aa, ba, ab, bb);
    let (risk_c, risk_t) = expected_losses(aa, ba, ab, bb);
    let mean_var = |al: f64, be: f64| {
        let s = al + be;
        (al / s, al * be / (s * s * (s + 1.0)))
    };
    let (ma, va) = mean_var(aa, ba);
    let (mb, vb) = mean_var(ab, bb);
    let (lift, var) = match p.difference {
        Difference::Absolute => (mb - ma, va + vb),
        Difference::Relative => (mb / ma - 1.0, vb / (ma * ma) + va * mb * mb / ma.powi(4)),
    };
    let se = var.sqrt();
    let z = norm_ppf(1.0 - p.alpha / 2.0);
    Ok(TestResult {
        method: Method::Beta,
        difference: p.difference,
        lift,
        ci_low: lift - z * se,
        ci_high: lift + z * se,
        std_error: se,
        chance_to_win: Some(chance),
        risk_control: Some(risk_c),
        risk_treatment: Some(risk_t),
        p_value: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiments::dist::{beta_inc, ln_beta};

    /// Beta(a, b) density.
    fn pdf(a: f64, b: f64, x: f64) -> f64 {
        ((a - 1.0) * x.ln() + (b - 1.0) * (-x).ln_1p() - ln_beta(a, b)).exp()
    }

    /// Gauss–Legendre nodes on [-1, 1] (Newton on P_n).
    fn gauss_legendre(n: usize) -> Vec<(f64, f64)> {
        let mut out = Vec::with_capacity(n);
        for i in 1..=n {
            let mut x = (std::f64::consts::PI * (i as f64 - 0.25) / (n as f64 + 0.5)).cos();
            let mut dp = 0.0;
            for _ in 0..100 {
                let (mut p0, mut p1) = (1.0, x);
                for k in 2..=n {
                    let k = k as f64;
                    let p2 = ((2.0 * k - 1.0) * x * p1 - (k - 1.0) * p0) / k;
                    p0 = p1;
                    p1 = p2;
                }
                dp = n as f64 * (x * p1 - p0) / (x * x - 1.0);
                let dx = p1 / dp;
                x -= dx;
                if dx.abs() < 1e-16 {
                    break;
                }
            }
            out.push((x, 2.0 / ((1.0 - x * x) * dp * dp)));
        }
        out
    }

    /// ∫ f(x) dx over [lo, hi], composite Gauss–Legendre (`pieces` panels of 20 nodes).
    fn integrate(f: impl Fn(f64) -> f64, lo: f64, hi: f64, pieces: usize) -> f64 {
        let gl = gauss_legendre(20);
        let w = (hi - lo) / pieces as f64;
        let mut s = 0.0;
        for k in 0..pieces {
            let (a, b) = (lo + k as f64 * w, lo + (k + 1) as f64 * w);
            for &(x, wt) in &gl {
                s += wt * 0.5 * (b - a) * f(0.5 * (b - a) * x + 0.5 * (a + b));
            }
        }
        s
    }

    /// The window of [0, 1] where Beta(a, b) has mass (±14 sd around the mean).
    fn window(a: f64, b: f64) -> (f64, f64) {
        let m = a / (a + b);
        let sd = (a * b / ((a + b).powi(2) * (a + b + 1.0))).sqrt();
        ((m - 14.0 * sd).max(0.0), (m + 14.0 * sd).min(1.0))
    }

    /// P(X_B > X_A) = ∫ f_A(x) (1 − I_x(α_B, β_B)) dx, numerically.
    fn numeric_prob(aa: f64, ba: f64, ab: f64, bb: f64) -> f64 {
        let (lo, hi) = window(aa, ba);
        integrate(
            |x| pdf(aa, ba, x) * beta_inc(bb, ab, 1.0 - x, x),
            lo,
            hi,
            400,
        )
    }

    /// E[max(X_B − X_A, 0)] = ∫∫_{y > x} (y − x) f_A(x) f_B(y), as ∫ f_A(x) ∫_x^1 (1 − F_B(y)) dy dx
    /// = ∫ f_A(x) [E(X_B − x)⁺] dx with E(X_B − x)⁺ = E X_B (1 − I_x(α_B+1, β_B)) − x (1 − I_x(α_B, β_B)).
    fn numeric_loss(aa: f64, ba: f64, ab: f64, bb: f64) -> f64 {
        let (lo, hi) = window(aa, ba);
        let eb = ab / (ab + bb);
        integrate(
            |x| {
                let plus =
                    eb * beta_inc(bb, ab + 1.0, 1.0 - x, x) - x * beta_inc(bb, ab, 1.0 - x, x);
                pdf(aa, ba, x) * plus
            },
            lo,
            hi,
            400,
        )
    }

    #[test]
    fn exact_probability_and_loss_match_numerical_integration_to_1e8() {
        // (units, conversions) of A then B, with a Beta(1, 1) prior; small, skewed, large, equal.
        let cases = [
            (10.0, 2.0, 12.0, 5.0),
            (1000.0, 100.0, 1000.0, 120.0),
            (5000.0, 50.0, 5100.0, 41.0),
            (400.0, 380.0, 420.0, 405.0),
            (20_000.0, 3_000.0, 20_000.0, 3_000.0),
            (3.0, 0.0, 2.0, 2.0),
            (60_000.0, 1_800.0, 59_000.0, 1_950.0),
        ];
        for (na, ca, nb, cb) in cases {
            let (aa, ba, ab, bb) = (1.0 + ca, 1.0 + na - ca, 1.0 + cb, 1.0 + nb - cb);
            let exact = prob_b_beats_a(aa, ba, ab, bb);
            let num = numeric_prob(aa, ba, ab, bb);
            assert!(
                (exact - num).abs() < 1e-8,
                "{na} {ca} {nb} {cb}: {exact} vs {num}"
            );
            let (lc, lt) = expected_losses(aa, ba, ab, bb);
            let nc = numeric_loss(aa, ba, ab, bb);
            let nt = numeric_loss(ab, bb, aa, ba);
            assert!((lc - nc).abs() < 1e-8, "loss B>A {lc} vs {nc}");
            assert!((lt - nt).abs() < 1e-8, "loss A>B {lt} vs {nt}");
        }
    }

    #[test]
    fn the_four_summation_orders_agree() {
        let (aa, ba, ab, bb) = (31.0, 70.0, 45.0, 66.0);
        let direct = h_sum(aa, ba, ab, bb);
        let swapped = 1.0 - h_sum(ab, bb, aa, ba);
        let flipped = h_sum(bb, ab, ba, aa);
        let both = 1.0 - h_sum(ba, aa, bb, ab);
        for v in [swapped, flipped, both] {
            assert!((direct - v).abs() < 1e-12, "{direct} vs {v}");
        }
    }
}
