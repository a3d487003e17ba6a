//! Churn and lifetime value.
//!
//! Two kinds of evidence, two families of models:
//! - **purchases** → buy-till-you-die models ([`btyd`]): BG/NBD, Pareto/NBD and Gamma-Gamma by
//!   maximum likelihood on the per-customer summary ([`summary`]); they decide P(alive), expected
//!   purchases and customer lifetime value;
//! - **activity** → the risk classifier: features engineered from activity, students and purchases
//!   as of a date, fed to the shared tabular learner ([`crate::learn`]).
//!
//! ```
//! use edupulse_core::churn::{BetaGeo, FitParams};
//! let x = [2.0, 1.0, 0.0, 0.0, 5.0, 0.0, 3.0, 1.0, 0.0, 7.0];
//! let tx = [30.4, 1.7, 0.0, 0.0, 20.0, 0.0, 35.0, 10.0, 0.0, 37.0];
//! let t = [38.9, 38.9, 38.9, 38.9, 38.0, 37.0, 37.0, 36.0, 36.0, 38.0];
//! let m = BetaGeo::fit(&x, &tx, &t, &FitParams::default()).unwrap();
//! assert!(m.probability_alive(2.0, 30.4, 38.9) > 0.0);
//! ```

pub mod btyd;
pub mod cohort;
mod num;
pub mod risk;
pub mod risk_inputs;
pub mod step;
pub mod summary;

pub use btyd::{
    customer_lifetime_value, BetaGeo, FitInfo, FitParams, GammaGamma, ParetoNbd, TimeUnit,
    TransactionModel,
};
pub use cohort::{
    cohorts, kaplan_meier, months_between, months_between_in, survival_at, CohortRow, KmPoint,
};
pub use risk::{ChurnScore, Intervention, RiskLevel, RiskModel, RiskParams, ScoredFactor};
pub use step::{purchase_values, ChurnConfig, ChurnStep, PurchaseValue};
pub use summary::{summary_from_transactions, CustomerSummary, SummaryParams};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_risk;
