//! Leads: who is ready to buy, and what to do about each lead.
//!
//! Decides, from `leads`, `lead_events`, `registrations` and `webinars` as of a date:
//! - an **engagement** value 0–10, a **score** 0–100 and a **grade** (hot > 7, warm > 4, cold) by
//!   decaying points per event kind ([`points`]: the rule to use when no conversions are known);
//! - a **learned conversion model** ([`model`]): features from events, logistic regression or
//!   boosted trees from the shared [`crate::learn`], calibrated probability and top factors, chosen
//!   over the rule only when its cross-validated AUC is better;
//! - the **nurture track** of each lead after each webinar and the **sales alert** when a lead
//!   crosses into hot ([`nurture`], [`step`]).
//!
//! ```
//! use edupulse_core::leads::{LeadScorer, PointsParams};
//! use edupulse_core::simulate::{simulate, SimConfig};
//! let t = simulate(&SimConfig { students: 100, seed: 3, ..SimConfig::default() }).unwrap();
//! let as_of = chrono::DateTime::parse_from_rfc3339("2025-12-01T00:00:00Z").unwrap().to_utc();
//! let scorer = LeadScorer::new(PointsParams::default()).unwrap();
//! let b = scorer.score(&t.lead_events, None, as_of).unwrap();
//! assert!(b.scores.iter().all(|s| (0.0..=10.0).contains(&s.engagement)));
//! ```

pub mod eval;
pub mod model;
pub mod nurture;
pub mod points;
pub mod step;

pub use model::{
    numeric_features, snapshot, training_set, ConversionScore, LeadModel, ModelChoice, ModelParams,
    ScorerUsed, Snapshot, CATEGORICAL_FEATURES,
};
pub use nurture::{nurture_decisions, NurtureDecision, Track};
pub use points::{Grade, LeadScorer, PointsBatch, PointsParams, PointsScore, DEFAULT_WEIGHTS};

pub use step::{LeadScoreRow, LeadsConfig, LeadsStep};

#[cfg(test)]
mod tests;
