//! # edupulse-learn
//!
//! The learning engine of edupulse: every model the capabilities fit is built here, over plain
//! slices (row-major `n × p` matrices) and named-column tables. It decides nothing about the
//! business; it turns features and targets into fitted models, predictions, intervals and
//! explanations. Also here: the numeric kernels ([`num`]: ln Γ, digamma, dual numbers, BFGS), the
//! progress/cancellation hooks of long fits ([`progress`]) and the process-wide thread budget
//! ([`parallel`]).
//!
//! The shared tabular learner: one binary classifier over named categorical and numeric columns,
//! used by churn (risk of leaving) and leads (conversion).
//!
//! It decides a calibrated probability of class 1 for each row and which columns pushed it there,
//! from a [`TabularData`] table and boolean labels:
//! - [`Encoder`]: standardisation, one-hot with an `other` bucket for rare and unseen categories,
//!   missing-value indicators, optional quantile bins or a cubic B-spline basis of numeric columns;
//! - [`Logistic`]: L2 logistic regression by Newton/IRLS; [`Boosted`]: gradient-boosted trees over
//!   the generic histogram [`Tree`] (also usable as a regression tree);
//! - [`TabularClassifier`]: out-of-fold Platt calibration and per-row [`Factor`]s;
//!   [`ModelKind::Ensemble`] averages the calibrated probabilities (and the explanations) of a
//!   spline-basis logistic regression and boosted stumps (the best Telco AUC, 0.8507);
//! - [`cross_validate`], [`cross_validate_folds`], [`roc_auc`], [`stratified_folds`];
//! - regression (the demand capability): [`RandomForest`] (bootstrap histogram trees with
//!   quantile-regression-forest intervals) and [`GradientBoosting`] (best-first histogram GBDT on
//!   squared loss with early stopping and split-conformal intervals), both grown by one shared
//!   histogram grower over [`Binned`] features;
//! - text (the feedback capability): [`SparseLogistic`], a multinomial L2 logistic regression
//!   over [`SparseRows`] (hashed n-grams) by L-BFGS, temperature-calibrated out of fold.
//!
//! ```
//! use edupulse_learn::{ClassifierParams, TabularClassifier, TabularData};
//! let x: Vec<f64> = (0..40).map(|i| i as f64).collect();
//! let plan: Vec<&str> = (0..40).map(|i| if i % 3 == 0 { "basic" } else { "pro" }).collect();
//! let y: Vec<bool> = (0..40).map(|i| i % 7 < 3 || i > 30).collect();
//! let data = TabularData::new().with_numeric("days", &x).unwrap().with_categorical("plan", &plan).unwrap();
//! let m = TabularClassifier::fit(&data, &y, &ClassifierParams::default()).unwrap();
//! let p = m.predict_proba(&data).unwrap();
//! assert!(p.iter().all(|p| (0.0..=1.0).contains(p)));
//! let why = m.explain(&data, 1).unwrap();
//! assert_eq!(why[0].len(), 1);
//! ```

#![warn(missing_docs)]

mod auto;
mod classifier;
mod data;
mod encode;
pub mod error;
mod forest;
mod gbdt;
pub mod implicit;
#[cfg(feature = "linfa")]
pub mod linfa_impl;
mod logistic;
mod metrics;
pub mod num;
pub mod parallel;
pub mod progress;
mod regress;
mod sparse;
mod tabular_reg;
mod tree;

pub use auto::{auto_rule, AutoChoice, AUTO_Z};
pub use classifier::{
    cross_validate, cross_validate_folds, ClassifierParams, CvReport, EnsembleParams, Factor,
    ModelKind, Platt, Scorer, TabularClassifier,
};
pub use data::{ColumnData, TabularData, TABLE};
pub use encode::{ColumnEncoding, EncodedFeature, Encoder, EncoderParams, OTHER};
pub use error::{LearnError, Location, Result};
pub use forest::{ForestParams, ForestTree, MaxFeatures, PredictionInterval, RandomForest};
pub use gbdt::{GbdtParams, GradientBoosting, IntervalSource};
pub use logistic::{Logistic, LogisticParams};
pub use metrics::{log_loss, roc_auc, stratified_folds};
pub use regress::{LogLoss, Objective, SquaredError};
pub use sparse::{SparseLogistic, SparseLogisticParams, SparseRows};
pub use tabular_reg::{
    spread_quantiles, Ensemble, MemberPredictions, RegressorKind, RegressorParams, TabularRegressor,
};
pub use tree::{Binned, BoostParams, Boosted, Node, Tree, TreeParams};

#[cfg(test)]
mod regress_tests;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;
