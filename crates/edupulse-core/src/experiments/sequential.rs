//! Always-valid inference over a path of looks, the sample-ratio-mismatch check and the
//! multiple-comparison corrections.
//!
//! **mSPRT** (Johari, Pekelis, Walsh, "Always Valid Inference", 2017/2022, eq. 11 with a normal
//! mixture `H = N(0, τ²)`): at a look where the lift estimate is `Δ̂` with variance `v`,
//! `Λ = √(v / (v + τ²)) · exp(τ² Δ̂² / (2 v (v + τ²)))`, and the always-valid p-value is the
//! running minimum `p_n = min(p_{n−1}, 1/Λ_n)`, `p_0 = 1`. Looking every day cannot push the
//! false-positive rate above α. The mixing sd τ is `prior_sd` when given; otherwise
//! `τ² = ρ² · v · N` with gbstats' ρ (tuning parameter `tau`), which makes a single look equal
//! to gbstats' `SequentialTwoSidedTTest` p-value. The matching confidence sequence
//! `{θ : Λ(θ) < 1/α}` is intersected over the looks.

use super::dist::chi2_sf;
use super::stats::{lift_and_variance, rho2, ArmStats, Method, TestParams, TestResult};
use crate::error::{CoreError, Result};
use serde::{Deserialize, Serialize};

/// The mSPRT over looks `(control, treatment)` in time order (cumulative statistics at each
/// look): one result per look with the running-minimum p-value and the intersected interval.
pub fn msprt_path(looks: &[(ArmStats, ArmStats)], p: &TestParams) -> Result<Vec<TestResult>> {
    p.validate()?;
    let mut out = Vec::with_capacity(looks.len());
    let mut p_run: f64 = 1.0;
    let (mut lo_run, mut hi_run) = (f64::NEG_INFINITY, f64::INFINITY);
    for (a, b) in looks {
        let (lift, v) = lift_and_variance(a, b, p.difference)?;
        let t2 = match p.prior_sd {
            Some(sd) => sd * sd,
            None => rho2(p.alpha, p.tau) * v * (a.n + b.n),
        };
        let ln_lambda = 0.5 * (v / (v + t2)).ln() + t2 * lift * lift / (2.0 * v * (v + t2));
        p_run = p_run.min((-ln_lambda).exp().min(1.0));
        let half =
            (2.0 * v * (v + t2) / t2 * ((1.0 / p.alpha).ln() + 0.5 * ((v + t2) / v).ln())).sqrt();
        let (lo, hi) = (lift - half, lift + half);
        if lo.max(lo_run) <= hi.min(hi_run) {
            lo_run = lo.max(lo_run);
            hi_run = hi.min(hi_run);
        } else {
            // An empty intersection (the estimate moved): keep this look's interval.
            lo_run = lo;
            hi_run = hi;
        }
        out.push(TestResult {
            method: Method::Msprt,
            difference: p.difference,
            lift,
            ci_low: lo_run,
            ci_high: hi_run,
            std_error: v.sqrt(),
            chance_to_win: None,
            risk_control: None,
            risk_treatment: None,
            p_value: Some(p_run),
        });
    }
    Ok(out)
}

/// Sample-ratio mismatch: Pearson chi-square of the observed units per arm against the planned
/// weights, as gbstats' `check_srm` (arms with weight ≤ 0 add nothing; k − 1 degrees of
/// freedom; 1 when no unit was observed).
pub fn srm_p_value(units: &[f64], weights: &[f64]) -> Result<f64> {
    if units.len() != weights.len() || units.len() < 2 {
        return Err(CoreError::param(
            "weights",
            format!(
                "need one weight per arm and at least 2 arms (got {} arms, {} weights)",
                units.len(),
                weights.len()
            ),
        ));
    }
    if units
        .iter()
        .chain(weights)
        .any(|v| !v.is_finite() || *v < 0.0)
    {
        return Err(CoreError::param(
            "weights",
            "units and weights must be finite and ≥ 0",
        ));
    }
    let total: f64 = units.iter().sum();
    if total == 0.0 {
        return Ok(1.0);
    }
    let tw: f64 = weights.iter().sum();
    if tw <= 0.0 {
        return Err(CoreError::param(
            "weights",
            "at least one weight must be > 0",
        ));
    }
    let mut x = 0.0;
    for (o, w) in units.iter().zip(weights) {
        if *w <= 0.0 {
            continue;
        }
        let e = w / tw * total;
        x += (o - e).powi(2) / e;
    }
    Ok(chi2_sf(x, (units.len() - 1) as f64))
}

/// Multiple-comparison correction of the variant-vs-control p-values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Correction {
    /// Holm's step-down (family-wise error rate).
    #[default]
    Holm,
    /// Benjamini–Hochberg step-up (false discovery rate).
    BenjaminiHochberg,
    /// No correction.
    None,
}

/// Adjusted p-values (same order as the input).
pub fn adjust(p: &[f64], c: Correction) -> Vec<f64> {
    let m = p.len();
    let mut idx: Vec<usize> = (0..m).collect();
    idx.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut out = vec![0.0; m];
    match c {
        Correction::None => return p.to_vec(),
        Correction::Holm => {
            let mut run: f64 = 0.0;
            for (rank, &i) in idx.iter().enumerate() {
                run = run.max(((m - rank) as f64 * p[i]).min(1.0));
                out[i] = run;
            }
        }
        Correction::BenjaminiHochberg => {
            let mut run: f64 = 1.0;
            for (rank, &i) in idx.iter().enumerate().rev() {
                run = run.min((m as f64 / (rank + 1) as f64 * p[i]).min(1.0));
                out[i] = run;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiments::stats::{sequential, Difference};

    fn arm(n: f64, mean: f64, variance: f64) -> ArmStats {
        ArmStats {
            n,
            mean,
            variance,
            binary: false,
            conversions: f64::NAN,
        }
    }

    #[test]
    fn msprt_matches_the_published_normal_mixture_formula() {
        // Johari et al. eq. (11): n pairs, known V = σ_A² + σ_B², mixing N(0, τ²):
        // Λ_n = √(V / (V + nτ²)) · exp(n² τ² Ȳ² / (2V (V + nτ²))).
        let (sa2, sb2, tau2) = (4.0, 5.0, 0.01);
        let p = TestParams {
            difference: Difference::Absolute,
            prior_sd: Some(f64::sqrt(tau2)),
            ..TestParams::default()
        };
        let means = [(10.0, 0.3), (40.0, 0.2), (90.0, 0.45), (200.0, 0.25)];
        let looks: Vec<_> = means
            .iter()
            .map(|&(n, d)| (arm(n, 1.0, sa2), arm(n, 1.0 + d, sb2)))
            .collect();
        let got = msprt_path(&looks, &p).unwrap();
        let v_big = sa2 + sb2;
        let mut run: f64 = 1.0;
        for ((n, d), r) in means.iter().zip(&got) {
            let lambda = (v_big / (v_big + n * tau2)).sqrt()
                * (n * n * tau2 * d * d / (2.0 * v_big * (v_big + n * tau2))).exp();
            run = run.min(1.0 / lambda);
            assert!((r.p_value.unwrap() - run).abs() < 1e-12);
        }
        // the running minimum never rises
        assert!(got.windows(2).all(|w| w[1].p_value <= w[0].p_value));
    }

    #[test]
    fn one_look_with_the_default_mixture_is_gbstats_sequential() {
        let (a, b) = (arm(3000.0, 0.1, 0.09), arm(2900.0, 0.115, 0.1018));
        let p = TestParams::default();
        let m = msprt_path(&[(a, b)], &p).unwrap();
        let s = sequential(&a, &b, &p).unwrap();
        assert!((m[0].p_value.unwrap() - s.p_value.unwrap()).abs() < 1e-13);
    }

    #[test]
    fn msprt_keeps_false_positives_under_alpha_when_peeking_daily() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(17);
        let p = TestParams {
            difference: Difference::Absolute,
            ..TestParams::default()
        };
        let (sims, looks, per_look) = (400, 30, 100);
        let (mut seq_fp, mut naive_fp, mut both_fp) = (0, 0, 0);
        for _ in 0..sims {
            let (mut ca, mut cb, mut n) = (0.0, 0.0, 0.0);
            let mut path = Vec::new();
            let mut naive = false;
            for _ in 0..looks {
                for _ in 0..per_look {
                    ca += f64::from(u8::from(rng.gen::<f64>() < 0.2));
                    cb += f64::from(u8::from(rng.gen::<f64>() < 0.2));
                }
                n += per_look as f64;
                let a = ArmStats::proportion(
                    "a",
                    crate::experiments::Proportion {
                        units: n,
                        conversions: ca,
                    },
                )
                .unwrap();
                let b = ArmStats::proportion(
                    "b",
                    crate::experiments::Proportion {
                        units: n,
                        conversions: cb,
                    },
                )
                .unwrap();
                let t = crate::experiments::stats::ttest(&a, &b, &p).unwrap();
                naive |= t.p_value.unwrap() < 0.05;
                path.push((a, b));
            }
            let m = msprt_path(&path, &p).unwrap();
            let seq = m.last().unwrap().p_value.unwrap() < 0.05;
            seq_fp += usize::from(seq);
            // The job's rule: always-valid p at any look, or the t-test at the planned end.
            let (a, b) = path.last().unwrap();
            let fixed = crate::experiments::stats::ttest(a, b, &p)
                .unwrap()
                .p_value
                .unwrap()
                < 0.05;
            both_fp += usize::from(seq || fixed);
            naive_fp += usize::from(naive);
        }
        let (seq, naive) = (seq_fp as f64 / sims as f64, naive_fp as f64 / sims as f64);
        assert!(seq <= 0.05, "mSPRT false-positive rate {seq}");
        assert!(naive > 0.1, "peeking at a t-test should inflate: {naive}");
        let both = both_fp as f64 / sims as f64;
        eprintln!(
            "false positives: mSPRT {seq}, t-test every look {naive}, mSPRT or final t-test {both}"
        );
        assert!(both <= 0.1, "mSPRT + final t-test {both} above 2α");
    }

    #[test]
    fn srm_and_corrections() {
        // Equal split observed exactly: no mismatch.
        assert!((srm_p_value(&[500.0, 500.0], &[0.5, 0.5]).unwrap() - 1.0).abs() < 1e-15);
        // χ² = 2·(50²/500) = 10 with 1 df → erfc(√5).
        let p = srm_p_value(&[550.0, 450.0], &[0.5, 0.5]).unwrap();
        assert!((p - libm::erfc(5f64.sqrt())).abs() < 1e-15);
        assert!(srm_p_value(&[1.0], &[1.0]).is_err());
        let ps = [0.01, 0.04, 0.03, 0.5];
        for (g, w) in adjust(&ps, Correction::Holm)
            .iter()
            .zip([0.04, 0.09, 0.09, 0.5])
        {
            assert!((g - w).abs() < 1e-15);
        }
        let bh = adjust(&ps, Correction::BenjaminiHochberg);
        for (g, w) in bh.iter().zip([
            0.04,
            0.053_333_333_333_333_33,
            0.053_333_333_333_333_33,
            0.5,
        ]) {
            assert!((g - w).abs() < 1e-15);
        }
    }
}
