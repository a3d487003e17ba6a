//! Experiments: did a change (webinar slot, landing page, nurture message, cadence) work?
//!
//! Decides, from per-arm counts (units, conversions) or sums (n, Σx, Σx²) — and, in the job step,
//! from the `experiments` and `exposures` tables joined to the conversion tables — for each
//! variant against control:
//! - the **Bayesian** answer on the lift as GrowthBook's `gbstats` 0.8.0 gives it
//!   ([`stats::bayes`]: chance to win, risk of each choice, credible interval; flat or proper
//!   Gaussian prior) and the **exact beta-binomial** P(B > A) and expected loss ([`beta`]);
//! - the **fixed-horizon** Welch t-test on relative or absolute lift ([`stats::ttest`]);
//! - **always-valid** answers that survive daily peeking: gbstats' asymptotic confidence sequence
//!   ([`stats::sequential`]) and the mSPRT p-value over the path of looks ([`sequential`]);
//! - the **sample-ratio-mismatch** check that blocks a decision, and Holm / Benjamini–Hochberg
//!   corrections across variants ([`sequential::adjust`]).
//!
//! ```
//! use edupulse_core::experiments::{proportion_test, Method, Proportion, TestParams};
//! let p = TestParams { method: Method::Beta, ..TestParams::default() };
//! let r = proportion_test(
//!     Proportion { units: 1000.0, conversions: 100.0 },
//!     Proportion { units: 1000.0, conversions: 130.0 },
//!     &p,
//! )
//! .unwrap();
//! assert!(r.chance_to_win.unwrap() > 0.95);
//! ```

pub mod analysis;
pub mod beta;
pub mod dist;
pub mod sequential;
pub mod stats;
pub mod step;

pub use analysis::{
    analyze, Analysis, AnalysisParams, Decision, ExperimentResult, Look, VariantResult,
};
pub use beta::{beta_test, expected_losses, prob_b_beats_a};
pub use sequential::{adjust, msprt_path, srm_p_value, Correction};
pub use stats::{
    bayes, compare, mean_test, proportion_test, sequential as sequential_test, ttest, ArmStats,
    Difference, MeanStats, Method, Proportion, TestParams, TestResult,
};
pub use step::{
    rows_of, ExperimentLookRow, ExperimentResultRow, ExperimentsConfig, ExperimentsStep,
};

#[cfg(test)]
mod tests;
