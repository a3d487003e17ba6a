//! The distribution functions the tests need, to double precision: standard normal (cdf, pdf,
//! quantile), Student's t (cdf, quantile, for the non-integer degrees of freedom of Welch's test),
//! chi-square upper tail (sample-ratio mismatch) and the regularized incomplete beta and gamma
//! functions beneath them.
//!
//! Accuracy: `erfc` and `lgamma` come from `libm` (ports of musl, < 1 ulp); the incomplete beta
//! and gamma use the continued fractions of Numerical Recipes §6.2/6.4 iterated to 1e-16; the
//! normal quantile is Wichura's AS 241 refined by one Newton step. The tests check against SciPy
//! values printed in the test.

// AS 241's coefficients are quoted as published (more digits than an f64 holds).
#![allow(clippy::excessive_precision)]

const SQRT_2: f64 = std::f64::consts::SQRT_2;
const EPS: f64 = 1e-16;
const TINY: f64 = 1e-300;
const MAX_ITER: usize = 200_000;

/// Natural log of the gamma function (`libm::lgamma`).
pub fn ln_gamma(x: f64) -> f64 {
    libm::lgamma(x)
}

/// Natural log of the beta function B(a, b).
pub fn ln_beta(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

/// Standard normal density.
pub fn norm_pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// Standard normal cdf `P(Z ≤ x)`.
pub fn norm_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / SQRT_2)
}

/// Standard normal upper tail `P(Z > x)` (accurate far in the tail).
pub fn norm_sf(x: f64) -> f64 {
    0.5 * libm::erfc(x / SQRT_2)
}

fn poly(c: &[f64], x: f64) -> f64 {
    c.iter().rev().fold(0.0, |acc, &k| acc * x + k)
}

/// Standard normal quantile (AS 241 PPND16, then one Newton step on `norm_cdf`).
/// Returns ±∞ at 0 and 1 and NaN outside [0, 1].
pub fn norm_ppf(p: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) || p.is_nan() {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    const A: [f64; 8] = [
        3.387_132_872_796_366_6,
        1.331_416_678_917_843_8e2,
        1.971_590_950_306_551_3e3,
        1.373_169_376_550_946e4,
        4.592_195_393_154_987e4,
        6.726_577_092_700_87e4,
        3.343_057_558_358_813e4,
        2.509_080_928_730_122_7e3,
    ];
    const B: [f64; 8] = [
        1.0,
        4.231_333_070_160_091e1,
        6.871_870_074_920_579e2,
        5.394_196_021_424_751e3,
        2.121_379_430_158_659_7e4,
        3.930_789_580_009_271e4,
        2.872_908_573_572_194_3e4,
        5.226_495_278_852_854e3,
    ];
    const C: [f64; 8] = [
        1.423_437_110_749_683_5,
        4.630_337_846_156_545,
        5.769_497_221_460_691,
        3.647_848_324_763_204_5,
        1.270_458_252_452_368_4,
        2.417_807_251_774_506e-1,
        2.272_384_498_926_918_4e-2,
        7.745_450_142_783_414e-4,
    ];
    const D: [f64; 8] = [
        1.0,
        2.053_191_626_637_759,
        1.676_384_830_183_803_8,
        6.897_673_349_851e-1,
        1.481_039_764_274_800_8e-1,
        1.519_866_656_361_645_7e-2,
        5.475_938_084_995_345e-4,
        1.050_750_071_644_416_8e-9,
    ];
    const E: [f64; 8] = [
        6.657_904_643_501_103,
        5.463_784_911_164_114,
        1.784_826_539_917_291_3,
        2.965_605_718_285_048_7e-1,
        2.653_218_952_657_612_4e-2,
        1.242_660_947_388_078_4e-3,
        2.711_555_568_743_487_6e-5,
        2.010_334_399_292_288_1e-7,
    ];
    const F: [f64; 8] = [
        1.0,
        5.998_322_065_558_879e-1,
        1.369_298_809_227_358e-1,
        1.487_536_129_085_061_5e-2,
        7.868_691_311_456_133e-4,
        1.846_318_317_510_054_8e-5,
        1.421_511_758_316_445_9e-7,
        2.044_263_103_389_939_7e-15,
    ];
    let q = p - 0.5;
    let mut x = if q.abs() <= 0.425 {
        let r = 0.180_625 - q * q;
        q * poly(&A, r) / poly(&B, r)
    } else {
        let r = if q < 0.0 { p } else { 1.0 - p };
        let r = (-r.ln()).sqrt();
        let v = if r <= 5.0 {
            let r = r - 1.6;
            poly(&C, r) / poly(&D, r)
        } else {
            let r = r - 5.0;
            poly(&E, r) / poly(&F, r)
        };
        if q < 0.0 {
            -v
        } else {
            v
        }
    };
    // One Newton step on the side with the better-conditioned tail.
    let d = norm_pdf(x);
    if d > 0.0 {
        let err = if p < 0.5 {
            norm_cdf(x) - p
        } else {
            (1.0 - p) - norm_sf(x)
        };
        x -= err / d;
    }
    x
}

/// Continued fraction of the incomplete beta (modified Lentz).
fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    let qab = a + b;
    let qap = a + 1.0;
    let qam = a - 1.0;
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..MAX_ITER {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < EPS {
            return h;
        }
    }
    f64::NAN
}

/// Regularized incomplete beta `I_x(a, b)`, with `y = 1 − x` given separately so that callers
/// who know it exactly (Student's t tail) lose nothing to cancellation. NaN if the continued
/// fraction does not converge.
pub fn beta_inc(a: f64, b: f64, x: f64, y: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if y <= 0.0 {
        return 1.0;
    }
    let ln_front = a * x.ln() + b * y.ln() - ln_beta(a, b);
    if x < (a + 1.0) / (a + b + 2.0) {
        ln_front.exp() * beta_cf(a, b, x) / a
    } else {
        1.0 - ln_front.exp() * beta_cf(b, a, y) / b
    }
}

/// Two-sided tail of Student's t: `P(|T_ν| ≥ |t|)`.
pub fn t_two_sided(t: f64, nu: f64) -> f64 {
    let t2 = t * t;
    beta_inc(0.5 * nu, 0.5, nu / (nu + t2), t2 / (nu + t2))
}

/// Student's t cdf `P(T_ν ≤ t)`.
pub fn t_cdf(t: f64, nu: f64) -> f64 {
    let tail = 0.5 * t_two_sided(t, nu);
    if t > 0.0 {
        1.0 - tail
    } else {
        tail
    }
}

/// Student's t density.
pub fn t_pdf(t: f64, nu: f64) -> f64 {
    (ln_gamma(0.5 * (nu + 1.0))
        - ln_gamma(0.5 * nu)
        - 0.5 * (nu * std::f64::consts::PI).ln()
        - 0.5 * (nu + 1.0) * (t * t / nu).ln_1p())
    .exp()
}

/// Student's t quantile for `p` in (0, 1): safeguarded Newton on the upper tail, to 1e-14.
pub fn t_ppf(p: f64, nu: f64) -> f64 {
    if p.is_nan() || !(0.0..=1.0).contains(&p) || nu.is_nan() || nu <= 0.0 {
        return f64::NAN;
    }
    if p == 0.5 {
        return 0.0;
    }
    if p < 0.5 {
        return -t_ppf(1.0 - p, nu);
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    // Upper tail target: P(T > t) = 1 − p = tail.
    let tail = 1.0 - p;
    let up = |t: f64| 0.5 * t_two_sided(t, nu);
    let z = norm_ppf(p);
    let mut t = z + (z * z * z + z) / (4.0 * nu);
    let (mut lo, mut hi) = (0.0_f64, f64::INFINITY);
    for _ in 0..200 {
        let f = up(t) - tail; // decreasing in t
        if f.is_nan() {
            return f64::NAN;
        }
        if f > 0.0 {
            lo = lo.max(t);
        } else {
            hi = hi.min(t);
        }
        let step = f / t_pdf(t, nu);
        let mut next = t + step;
        if !(next > lo && next < hi && next.is_finite()) {
            next = if hi.is_finite() {
                0.5 * (lo + hi)
            } else {
                2.0 * t.max(1.0)
            };
        }
        if (next - t).abs() <= 1e-14 * t.abs().max(1.0) {
            return next;
        }
        t = next;
    }
    t
}

/// Regularized upper incomplete gamma `Q(a, x)`.
pub fn gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let ln_front = a * x.ln() - x - ln_gamma(a);
    if x < a + 1.0 {
        // Series for P.
        let mut ap = a;
        let mut del = 1.0 / a;
        let mut sum = del;
        for _ in 0..MAX_ITER {
            ap += 1.0;
            del *= x / ap;
            sum += del;
            if del.abs() < sum.abs() * EPS {
                break;
            }
        }
        1.0 - sum * ln_front.exp()
    } else {
        // Continued fraction for Q (Lentz).
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / TINY;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..MAX_ITER {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < TINY {
                d = TINY;
            }
            c = b + an / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            let del = d * c;
            h *= del;
            if (del - 1.0).abs() < EPS {
                break;
            }
        }
        ln_front.exp() * h
    }
}

/// Chi-square upper tail `P(X²_k > x)`.
pub fn chi2_sf(x: f64, k: f64) -> f64 {
    gamma_q(0.5 * k, 0.5 * x)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Reference values: scipy 1.17.1 (the gbstats venv) (`scipy.stats.norm/t/chi2`), printed to 17 digits.
    #[test]
    fn normal_matches_scipy() {
        assert!((norm_ppf(0.975) - 1.959_963_984_540_054).abs() < 1e-14);
        assert!((norm_ppf(0.025) + 1.959_963_984_540_054).abs() < 1e-14);
        assert!((norm_ppf(1e-10) + 6.361_340_902_404_056).abs() < 1e-12);
        assert!((norm_cdf(1.0) - 0.841_344_746_068_542_9).abs() < 1e-15);
        for p in [1e-12, 0.001, 0.2, 0.5, 0.7, 0.999, 1.0 - 1e-9] {
            assert!((norm_cdf(norm_ppf(p)) - p).abs() < 1e-15_f64.max(p * 1e-13));
        }
    }

    #[test]
    fn student_t_matches_scipy() {
        // scipy.stats.t.ppf(0.975, ν) for ν = 10, 3.5, 1e6, 1
        assert!((t_ppf(0.975, 10.0) - 2.228_138_851_986_274).abs() < 1e-12);
        assert!((t_ppf(0.975, 3.5) - 2.940_088_637_982_728_2).abs() < 1e-12);
        assert!((t_ppf(0.975, 1e6) - 1.959_966_356_814_107).abs() < 1e-10);
        assert!((t_ppf(0.975, 1.0) - 12.706_204_736_174_694).abs() < 1e-10);
        for (t, nu) in [(2.5, 7.3), (0.3, 2.0), (4.0, 40_000.0), (1.0, 1.0)] {
            let x = t_cdf(t_ppf(t_cdf(t, nu), nu), nu);
            assert!((x - t_cdf(t, nu)).abs() < 1e-13);
        }
        // P(T_1 > 1) = 1/4 exactly; P(|T_2| > t) = 1 − t/√(2 + t²).
        assert!((t_cdf(1.0, 1.0) - 0.75).abs() < 1e-15);
        let t: f64 = 1.7;
        assert!((t_two_sided(t, 2.0) - (1.0 - t / (2.0 + t * t).sqrt())).abs() < 1e-15);
    }

    #[test]
    fn chi2_closed_forms() {
        // k = 2: sf = exp(−x/2); k = 1: sf = erfc(√(x/2)).
        for x in [0.1, 1.0, 3.84, 20.0, 80.0] {
            assert!((chi2_sf(x, 2.0) - (-0.5 * x).exp()).abs() < 1e-15);
            let e = libm::erfc((0.5 * x).sqrt());
            assert!((chi2_sf(x, 1.0) - e).abs() < 1e-14 * e.max(1e-3));
        }
    }
}
