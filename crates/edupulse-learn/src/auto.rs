//! [`ModelKind::Auto`]: logistic regression, boosted trees or their ensemble, chosen by a
//! holdout.
//!
//! Decides which of the three families to fit from the rows the caller holds out (for a model
//! trained on past snapshots: the latest ones, so the choice is made the way the model will be
//! used, on a later time than it learnt from). All three are fitted on the other rows and ranked
//! by ROC AUC on the holdout. Logistic regression is the default: it is the cheapest model and
//! its explanations are additive. A challenger (trees, the ensemble) replaces it only when it is
//! better by more than [`AUTO_Z`] standard errors of the paired AUC difference (DeLong et al.
//! 1988, on the same holdout rows); when both challengers pass, the one with the higher holdout
//! AUC wins (ties: trees, the cheaper). The chosen family is then refitted on every row.
//! Deterministic: the same rows and parameters give the same choice.
//!
//! Cost: every candidate is compared uncalibrated, one fit each (one per ensemble member). Platt
//! scaling is monotone, so it cannot change the AUC of logistic regression or trees; the
//! ensemble's average of its members' probabilities does depend on it, and is compared on their
//! raw probabilities, which both members (fitted by log loss) keep near-calibrated. So the
//! comparison costs four fits where calibrated candidates would cost twenty-four (5 folds + 1
//! each); with the spline member's larger design, `auto` costs about what the two-family rule
//! it replaced did when it keeps logistic regression or trees, and the ensemble's full price
//! when it picks it (docs/churn.md). The refit of the chosen family is calibrated as usual.
//!
//! Why a test and not the larger AUC: on the simulated business (churn tests) the larger
//! holdout AUC picked trees by +0.009 (within noise) and trees rank the simulator's hidden
//! dropout worse (0.795 against logistic's 0.80+); on OULAD trees lead by several standard
//! errors (docs/churn.md).

use super::classifier::{ClassifierParams, ModelKind, TabularClassifier};
use super::data::TabularData;
use super::metrics::roc_auc;
use crate::error::{LearnError, Result};
use serde::{Deserialize, Serialize};

/// Standard errors by which a challenger must beat logistic regression on the holdout
/// (one-sided 5 %).
pub const AUTO_Z: f64 = 1.645;

/// What [`TabularClassifier::fit_auto`] chose, and on what evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutoChoice {
    /// The family refitted on every row (`logistic`, `trees` or `ensemble`).
    pub chosen: ModelKind,
    /// Holdout AUC of the logistic regression (`None`: the holdout or its training part had one
    /// class only, and logistic regression was kept without a comparison).
    pub logistic_auc: Option<f64>,
    /// Holdout AUC of the boosted trees (`None` as for `logistic_auc`, or when the trees could
    /// not be fitted on the comparison rows: then they were not a candidate).
    pub trees_auc: Option<f64>,
    /// DeLong standard error of `trees_auc − logistic_auc` (paired, same rows).
    #[serde(default)]
    pub difference_se: Option<f64>,
    /// Holdout AUC of the ensemble (`None` as for `logistic_auc`, when it could not be fitted on
    /// the comparison rows, or a model fitted before the ensemble was a candidate).
    #[serde(default)]
    pub ensemble_auc: Option<f64>,
    /// DeLong standard error of `ensemble_auc − logistic_auc` (paired, same rows).
    #[serde(default)]
    pub ensemble_se: Option<f64>,
    /// Rows the candidates were fitted on for the comparison.
    pub fit_rows: usize,
    /// Rows they were compared on.
    pub holdout_rows: usize,
}

/// The rule of [`ModelKind::Auto`] on holdout evidence: `(family, AUC − logistic AUC, its
/// standard error)` of each challenger, in order of cost. Logistic regression unless a
/// challenger's difference exceeds [`AUTO_Z`] standard errors; of those that do, the largest
/// difference (ties: the earlier, cheaper one).
pub fn auto_rule(challengers: &[(ModelKind, f64, f64)]) -> ModelKind {
    let mut best: Option<(ModelKind, f64)> = None;
    for &(kind, diff, se) in challengers {
        if diff > AUTO_Z * se && best.is_none_or(|b| diff > b.1) {
            best = Some((kind, diff));
        }
    }
    best.map_or(ModelKind::Logistic, |b| b.0)
}

fn both_classes(y: &[bool]) -> bool {
    y.iter().any(|v| *v) && y.iter().any(|v| !*v)
}

/// DeLong's placements of one score vector: for each positive, the share of negatives it
/// outranks (ties ½), and for each negative the share of positives that outrank it.
fn placements(s: &[f64], y: &[bool]) -> (Vec<f64>, Vec<f64>) {
    let mut pos: Vec<f64> = s.iter().zip(y).filter(|p| *p.1).map(|p| *p.0).collect();
    let mut neg: Vec<f64> = s.iter().zip(y).filter(|p| !*p.1).map(|p| *p.0).collect();
    pos.sort_by(f64::total_cmp);
    neg.sort_by(f64::total_cmp);
    // Share of `sorted` below x, ties counted ½.
    let share = |sorted: &[f64], x: f64| {
        let lo = sorted.partition_point(|v| *v < x);
        let hi = sorted.partition_point(|v| *v <= x);
        (lo as f64 + 0.5 * (hi - lo) as f64) / sorted.len() as f64
    };
    let v10 = s
        .iter()
        .zip(y)
        .filter(|p| *p.1)
        .map(|p| share(&neg, *p.0))
        .collect();
    let v01 = s
        .iter()
        .zip(y)
        .filter(|p| !*p.1)
        .map(|p| 1.0 - share(&pos, *p.0))
        .collect();
    (v10, v01)
}

fn sample_var(v: &[f64]) -> f64 {
    let n = v.len() as f64;
    if n < 2.0 {
        return 0.0;
    }
    let m = v.iter().sum::<f64>() / n;
    v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0)
}

/// AUC of `b` minus AUC of `a` on the same rows, and its DeLong standard error.
pub(crate) fn paired_auc_difference(a: &[f64], b: &[f64], y: &[bool]) -> (f64, f64) {
    let (a10, a01) = placements(a, y);
    let (b10, b01) = placements(b, y);
    let d10: Vec<f64> = b10.iter().zip(&a10).map(|(b, a)| b - a).collect();
    let d01: Vec<f64> = b01.iter().zip(&a01).map(|(b, a)| b - a).collect();
    let diff = d10.iter().sum::<f64>() / d10.len().max(1) as f64;
    let var =
        sample_var(&d10) / d10.len().max(1) as f64 + sample_var(&d01) / d01.len().max(1) as f64;
    (diff, var.sqrt())
}

impl TabularClassifier {
    /// [`ModelKind::Auto`] with an explicit holdout: fit logistic regression, trees and the
    /// ensemble (the other parameters of `params` as given) on the rows `fit_rows`, compare
    /// their AUC on the rows `holdout` ([`auto_rule`]), refit the chosen one on every row of
    /// `data`. When either part has one class only there is no comparison and logistic
    /// regression is used; the returned model's [`TabularClassifier::selection`] says so.
    pub fn fit_auto(
        data: &TabularData,
        y: &[bool],
        fit_rows: &[usize],
        holdout: &[usize],
        params: &ClassifierParams,
    ) -> Result<TabularClassifier> {
        let n = data.n_rows();
        if y.len() != n {
            return Err(LearnError::param(
                "label",
                format!("{} labels for {n} rows", y.len()),
            ));
        }
        if let Some(&i) = fit_rows.iter().chain(holdout).find(|&&i| i >= n) {
            return Err(LearnError::param(
                "holdout",
                format!("row {i} is beyond the {n} rows of the table"),
            ));
        }
        let with = |model: ModelKind, calibration_folds: usize| ClassifierParams {
            model,
            calibration_folds,
            ..params.clone()
        };
        let yf: Vec<bool> = fit_rows.iter().map(|&i| y[i]).collect();
        let yh: Vec<bool> = holdout.iter().map(|&i| y[i]).collect();
        let mut choice = AutoChoice {
            chosen: ModelKind::Logistic,
            logistic_auc: None,
            trees_auc: None,
            difference_se: None,
            ensemble_auc: None,
            ensemble_se: None,
            fit_rows: fit_rows.len(),
            holdout_rows: holdout.len(),
        };
        if both_classes(&yf) && both_classes(&yh) {
            let (train, test) = (data.take(fit_rows), data.take(holdout));
            let scores = |model: ModelKind, folds: usize| -> Result<Vec<f64>> {
                TabularClassifier::fit(&train, &yf, &with(model, folds))?.decision_function(&test)
            };
            let sl = scores(ModelKind::Logistic, 0)?;
            choice.logistic_auc = Some(roc_auc(&sl, &yh)?);
            // A challenger that cannot be fitted on these rows (e.g. the ensemble's logistic
            // member on extreme values) is not a candidate: its AUC stays absent.
            let mut challengers = Vec::new();
            if let Ok(st) = scores(ModelKind::Trees, 0) {
                let (dt, set) = paired_auc_difference(&sl, &st, &yh);
                challengers.push((ModelKind::Trees, dt, set));
                choice.trees_auc = Some(roc_auc(&st, &yh)?);
                choice.difference_se = Some(set);
            }
            if let Ok(se) = scores(ModelKind::Ensemble, 0) {
                let (de, see) = paired_auc_difference(&sl, &se, &yh);
                challengers.push((ModelKind::Ensemble, de, see));
                choice.ensemble_auc = Some(roc_auc(&se, &yh)?);
                choice.ensemble_se = Some(see);
            }
            choice.chosen = auto_rule(&challengers);
        }
        let mut model =
            TabularClassifier::fit(data, y, &with(choice.chosen, params.calibration_folds))?;
        model.selection = Some(choice);
        Ok(model)
    }
}
