//! One variant against control from sufficient statistics: the Gaussian Bayesian test on the lift,
//! the fixed-horizon Welch t-test and the asymptotic confidence sequence, each as `gbstats` 0.8.0
//! computes them (`EffectBayesianABTest`, `TwoSidedTTest`, `SequentialTwoSidedTTest`), plus the
//! exact beta-binomial test ([`super::beta`]) and the mSPRT ([`super::sequential`]).
//!
//! The inputs are counts ([`Proportion`]: units and converting units) or sums ([`MeanStats`]: n,
//! Σx, Σx²). The lift is `treatment − control` (absolute) or `(treatment − control) / control`
//! (relative, with the delta-method variance).

use super::dist::{norm_cdf, norm_pdf, norm_ppf, norm_sf, t_ppf, t_two_sided};
use crate::error::{CoreError, Result};
use serde::{Deserialize, Serialize};

/// Units and converting units of one arm (a binary metric).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Proportion {
    /// Units exposed.
    pub units: f64,
    /// Units that converted (0 ≤ conversions ≤ units).
    pub conversions: f64,
}

/// Sufficient statistics of one arm of a mean metric (revenue per unit).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MeanStats {
    /// Units exposed.
    pub n: f64,
    /// Σx over units.
    pub sum: f64,
    /// Σx² over units.
    pub sum_squares: f64,
}

/// Mean and variance of one arm, as gbstats' `ProportionStatistic` / `SampleMeanStatistic`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ArmStats {
    /// Units.
    pub n: f64,
    /// Mean per unit.
    pub mean: f64,
    /// Per-unit variance (`p(1 − p)` for a proportion, the n − 1 sample variance for a mean).
    pub variance: f64,
    /// Whether the metric is binary (only then is the beta-binomial test available).
    pub binary: bool,
    /// Conversions (binary metrics).
    pub conversions: f64,
}

fn check(arm: &str, what: &str, v: f64) -> Result<()> {
    if !v.is_finite() {
        return Err(CoreError::param(
            &format!("{arm}.{what}"),
            "must be a finite number (got NaN or ∞)",
        ));
    }
    Ok(())
}

impl ArmStats {
    /// Statistics of a binary arm; errors name the arm and the bad count.
    pub fn proportion(arm: &str, p: Proportion) -> Result<ArmStats> {
        check(arm, "units", p.units)?;
        check(arm, "conversions", p.conversions)?;
        if p.units <= 0.0 {
            return Err(CoreError::param(
                &format!("{arm}.units"),
                format!("must be > 0 (got {})", p.units),
            ));
        }
        if p.conversions < 0.0 {
            return Err(CoreError::param(
                &format!("{arm}.conversions"),
                format!("must be ≥ 0 (got {})", p.conversions),
            ));
        }
        if p.conversions > p.units {
            return Err(CoreError::param(
                &format!("{arm}.conversions"),
                format!("conversions ({}) exceed units ({})", p.conversions, p.units),
            ));
        }
        let mean = p.conversions / p.units;
        Ok(ArmStats {
            n: p.units,
            mean,
            variance: mean * (1.0 - mean),
            binary: true,
            conversions: p.conversions,
        })
    }

    /// Statistics of a mean arm; errors name the arm and the bad sum.
    pub fn mean(arm: &str, m: MeanStats) -> Result<ArmStats> {
        check(arm, "n", m.n)?;
        check(arm, "sum", m.sum)?;
        check(arm, "sum_squares", m.sum_squares)?;
        if m.n <= 0.0 {
            return Err(CoreError::param(
                &format!("{arm}.n"),
                format!("must be > 0 (got {})", m.n),
            ));
        }
        if m.sum_squares < 0.0 {
            return Err(CoreError::param(
                &format!("{arm}.sum_squares"),
                format!("must be ≥ 0 (got {})", m.sum_squares),
            ));
        }
        let variance = if m.n <= 1.0 {
            0.0
        } else {
            (m.sum_squares - m.sum * m.sum / m.n) / (m.n - 1.0)
        };
        Ok(ArmStats {
            n: m.n,
            mean: m.sum / m.n,
            variance,
            binary: false,
            conversions: f64::NAN,
        })
    }
}

/// Which test answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Method {
    /// Gaussian model on the lift, flat or proper prior (gbstats `EffectBayesianABTest`).
    #[default]
    Bayes,
    /// Exact beta-binomial P(B > A) and expected loss (binary metrics only).
    Beta,
    /// Fixed-horizon Welch t-test (gbstats `TwoSidedTTest`).
    Ttest,
    /// Asymptotic confidence sequence (gbstats `SequentialTwoSidedTTest`).
    Sequential,
    /// Mixture sequential probability ratio test (Johari, Pekelis, Walsh).
    Msprt,
}

impl Method {
    /// The name used in configuration and results.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Bayes => "bayes",
            Method::Beta => "beta",
            Method::Ttest => "ttest",
            Method::Sequential => "sequential",
            Method::Msprt => "msprt",
        }
    }

    /// Parse a name (`bayes`, `beta`, `ttest`, `sequential`, `msprt`).
    pub fn parse(s: &str) -> Result<Method> {
        Ok(match s {
            "bayes" => Method::Bayes,
            "beta" => Method::Beta,
            "ttest" => Method::Ttest,
            "sequential" => Method::Sequential,
            "msprt" => Method::Msprt,
            _ => {
                return Err(CoreError::param(
                    "method",
                    format!("unknown `{s}` (bayes, beta, ttest, sequential, msprt)"),
                ))
            }
        })
    }
}

/// Relative or absolute lift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Difference {
    /// `(treatment − control) / control`.
    #[default]
    Relative,
    /// `treatment − control`.
    Absolute,
}

impl Difference {
    /// `relative` or `absolute`.
    pub fn as_str(self) -> &'static str {
        match self {
            Difference::Relative => "relative",
            Difference::Absolute => "absolute",
        }
    }

    /// Parse `relative` / `absolute`.
    pub fn parse(s: &str) -> Result<Difference> {
        match s {
            "relative" => Ok(Difference::Relative),
            "absolute" => Ok(Difference::Absolute),
            _ => Err(CoreError::param(
                "difference",
                format!("unknown `{s}` (relative, absolute)"),
            )),
        }
    }
}

/// Parameters of one comparison (the options of Python's `proportion_test` / `mean_test`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TestParams {
    /// Which test.
    pub method: Method,
    /// Relative or absolute lift.
    pub difference: Difference,
    /// Prior mean of the lift (Bayes), in the units of `difference`.
    pub prior_mean: f64,
    /// Prior standard deviation of the lift (Bayes: `None` is gbstats' flat prior; mSPRT: the
    /// mixing standard deviation, `None` derives it from `tau` as gbstats' confidence sequence).
    pub prior_sd: Option<f64>,
    /// Tuning parameter of the confidence sequence (gbstats' `sequential_tuning_parameter`: the
    /// total sample size at which the sequence is tightest).
    pub tau: f64,
    /// 1 − interval coverage, and the significance level of the frequentist tests.
    pub alpha: f64,
    /// Beta prior `(a, b)` of each arm's rate for the beta-binomial test (whole numbers ≥ 1).
    pub beta_prior: (f64, f64),
}

impl Default for TestParams {
    fn default() -> Self {
        TestParams {
            method: Method::Bayes,
            difference: Difference::Relative,
            prior_mean: 0.0,
            prior_sd: None,
            tau: 5000.0,
            alpha: 0.05,
            beta_prior: (1.0, 1.0),
        }
    }
}

impl TestParams {
    /// Check the parameters.
    pub fn validate(&self) -> Result<()> {
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return Err(CoreError::param("alpha", "must be in (0, 1)"));
        }
        if !self.prior_mean.is_finite() {
            return Err(CoreError::param("prior_mean", "must be finite"));
        }
        if let Some(sd) = self.prior_sd {
            if !(sd.is_finite() && sd > 0.0) {
                return Err(CoreError::param("prior_sd", "must be > 0 and finite"));
            }
        }
        if !(self.tau.is_finite() && self.tau > 0.0) {
            return Err(CoreError::param("tau", "must be > 0 and finite"));
        }
        let (a, b) = self.beta_prior;
        for (name, v) in [("beta_prior.a", a), ("beta_prior.b", b)] {
            if !(v.is_finite() && v >= 1.0 && v.fract() == 0.0) {
                return Err(CoreError::param(
                    name,
                    "must be a whole number ≥ 1 (the exact formula sums over integer shapes)",
                ));
            }
        }
        Ok(())
    }
}

/// The answer of one test for one variant against control.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestResult {
    /// The method that produced it.
    pub method: Method,
    /// Relative or absolute.
    pub difference: Difference,
    /// Point estimate of the lift (Bayes: posterior mean).
    pub lift: f64,
    /// Lower end of the interval (credible, confidence, or confidence-sequence).
    pub ci_low: f64,
    /// Upper end.
    pub ci_high: f64,
    /// Standard error of the lift (Bayes: posterior sd).
    pub std_error: f64,
    /// P(treatment better than control) (Bayes, beta).
    pub chance_to_win: Option<f64>,
    /// Expected loss of keeping control, in lift units (Bayes, beta).
    pub risk_control: Option<f64>,
    /// Expected loss of shipping the treatment (Bayes, beta).
    pub risk_treatment: Option<f64>,
    /// p-value of "no difference" (t-test, sequential, mSPRT: always valid for the last two).
    pub p_value: Option<f64>,
}

/// The lift and its (delta-method) variance, as gbstats' `frequentist_diff/variance`.
pub(crate) fn lift_and_variance(a: &ArmStats, b: &ArmStats, d: Difference) -> Result<(f64, f64)> {
    if a.variance <= 0.0 || b.variance <= 0.0 {
        let arm = if a.variance <= 0.0 {
            "control"
        } else {
            "treatment"
        };
        return Err(CoreError::param(
            arm,
            "zero variance (every unit has the same value: e.g. 0 or all conversions); no test is possible yet",
        ));
    }
    match d {
        Difference::Relative => {
            if a.mean == 0.0 {
                return Err(CoreError::param(
                    "control",
                    "control mean is 0: the relative lift is undefined (use difference = absolute)",
                ));
            }
            let lift = (b.mean - a.mean) / a.mean;
            let var = b.variance / (a.mean.powi(2) * b.n)
                + a.variance * b.mean.powi(2) / (a.mean.powi(4) * a.n);
            Ok((lift, var))
        }
        Difference::Absolute => Ok((b.mean - a.mean, b.variance / b.n + a.variance / a.n)),
    }
}

/// Expected losses `[keep control, ship treatment]` of a Normal(mu, sigma) lift: gbstats'
/// `get_risk` in closed form (`E[max(Δ, 0)]` and `E[max(−Δ, 0)]`).
pub(crate) fn normal_risk(mu: f64, sigma: f64) -> (f64, f64) {
    let z = mu / sigma;
    let phi = norm_pdf(z);
    (
        mu * norm_cdf(z) + sigma * phi,
        -mu * norm_sf(z) + sigma * phi,
    )
}

/// gbstats `EffectBayesianABTest` (relative or absolute lift; prior in the same units).
pub fn bayes(a: &ArmStats, b: &ArmStats, p: &TestParams) -> Result<TestResult> {
    let (data_mean, data_var) = lift_and_variance(a, b, p.difference)?;
    let (mean, var) = match p.prior_sd {
        Some(sd) => {
            let pv = sd * sd;
            let prec = 1.0 / data_var + 1.0 / pv;
            (
                (data_mean / data_var + p.prior_mean / pv) / prec,
                1.0 / prec,
            )
        }
        None => (data_mean, data_var),
    };
    let sd = var.sqrt();
    let z = norm_ppf(1.0 - p.alpha / 2.0);
    let (risk_c, risk_t) = normal_risk(mean, sd);
    Ok(TestResult {
        method: Method::Bayes,
        difference: p.difference,
        lift: mean,
        ci_low: mean - z * sd,
        ci_high: mean + z * sd,
        std_error: sd,
        chance_to_win: Some(norm_sf(-mean / sd)),
        risk_control: Some(risk_c),
        risk_treatment: Some(risk_t),
        p_value: None,
    })
}

/// Welch–Satterthwaite degrees of freedom (as gbstats' `TTest.dof`).
pub(crate) fn welch_dof(a: &ArmStats, b: &ArmStats) -> f64 {
    let va = a.variance / a.n;
    let vb = b.variance / b.n;
    (va + vb).powi(2)
        / (b.variance.powi(2) / (b.n.powi(2) * (b.n - 1.0))
            + a.variance.powi(2) / (a.n.powi(2) * (a.n - 1.0)))
}

/// gbstats `TwoSidedTTest` (Welch, test value 0).
pub fn ttest(a: &ArmStats, b: &ArmStats, p: &TestParams) -> Result<TestResult> {
    let (lift, var) = lift_and_variance(a, b, p.difference)?;
    if a.n < 2.0 || b.n < 2.0 {
        return Err(CoreError::param(
            if a.n < 2.0 { "control" } else { "treatment" },
            "the t-test needs at least 2 units per arm",
        ));
    }
    let se = var.sqrt();
    let dof = welch_dof(a, b);
    let pv = t_two_sided(lift / se, dof);
    let width = t_ppf(1.0 - p.alpha / 2.0, dof) * se;
    if !(pv.is_finite() && width.is_finite()) {
        return Err(CoreError::Convergence {
            model: "Student t".into(),
            message: format!("no finite tail at t = {}, dof = {dof}", lift / se),
        });
    }
    Ok(TestResult {
        method: Method::Ttest,
        difference: p.difference,
        lift,
        ci_low: lift - width,
        ci_high: lift + width,
        std_error: se,
        chance_to_win: None,
        risk_control: None,
        risk_treatment: None,
        p_value: Some(pv),
    })
}

/// ρ² of the asymptotic confidence sequence (Waudby-Smith et al. 2023, eq. 161, as gbstats).
pub(crate) fn rho2(alpha: f64, tau: f64) -> f64 {
    let l = -2.0 * alpha.ln();
    (l + (l + 1.0).ln()) / tau
}

/// gbstats `SequentialTwoSidedTTest`: always-valid p-value and confidence sequence.
pub fn sequential(a: &ArmStats, b: &ArmStats, p: &TestParams) -> Result<TestResult> {
    let (lift, var) = lift_and_variance(a, b, p.difference)?;
    let n = a.n + b.n;
    let r2 = rho2(p.alpha, p.tau);
    let s2 = var * n;
    let nr = n * r2 + 1.0;
    let width = s2.sqrt() * ((2.0 * nr) * (nr.sqrt() / p.alpha).ln() / (n * n * r2)).sqrt();
    let st2 = lift * lift * n / var;
    // p = min(1, 1/e) with e = exp(ρ² st² / (2(Nρ² + 1))) / √(Nρ² + 1), in logs.
    let ln_e = r2 * st2 / (2.0 * nr) - 0.5 * nr.ln();
    let pv = (-ln_e).exp().min(1.0);
    Ok(TestResult {
        method: Method::Sequential,
        difference: p.difference,
        lift,
        ci_low: lift - width,
        ci_high: lift + width,
        std_error: var.sqrt(),
        chance_to_win: None,
        risk_control: None,
        risk_treatment: None,
        p_value: Some(pv),
    })
}

/// Run the test `p.method` on two arms (the mSPRT on this single look).
pub fn compare(a: &ArmStats, b: &ArmStats, p: &TestParams) -> Result<TestResult> {
    p.validate()?;
    match p.method {
        Method::Bayes => bayes(a, b, p),
        Method::Ttest => ttest(a, b, p),
        Method::Sequential => sequential(a, b, p),
        Method::Beta => super::beta::beta_test(a, b, p),
        Method::Msprt => super::sequential::msprt_path(&[(*a, *b)], p)
            .map(|mut v| v.pop())?
            .ok_or_else(|| CoreError::param("looks", "no look to test")),
    }
}

/// [`compare`] for a binary metric.
pub fn proportion_test(
    control: Proportion,
    treatment: Proportion,
    p: &TestParams,
) -> Result<TestResult> {
    let a = ArmStats::proportion("control", control)?;
    let b = ArmStats::proportion("treatment", treatment)?;
    compare(&a, &b, p)
}

/// [`compare`] for a mean metric (the beta-binomial test is not defined for it).
pub fn mean_test(control: MeanStats, treatment: MeanStats, p: &TestParams) -> Result<TestResult> {
    if p.method == Method::Beta {
        return Err(CoreError::param(
            "method",
            "`beta` needs a binary metric (use proportion_test)",
        ));
    }
    let a = ArmStats::mean("control", control)?;
    let b = ArmStats::mean("treatment", treatment)?;
    compare(&a, &b, p)
}
