//! The tabular binary classifier shared by churn (risk) and leads (conversion): encoding,
//! logistic regression or boosted trees, out-of-fold Platt calibration, per-row explanations per
//! original column, and stratified cross-validated AUC.

use super::data::{TabularData, TABLE};
use super::encode::Encoder;
use super::logistic::{sigmoid, Logistic};
use super::metrics::{roc_auc, stratified_folds};
use super::tree::{BoostParams, Boosted};
use crate::error::{CoreError, Result};
use serde::{Deserialize, Serialize};

/// Which model family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ModelKind {
    /// L2 logistic regression (Newton / IRLS).
    #[default]
    Logistic,
    /// Gradient-boosted trees on log loss.
    Trees,
}

impl ModelKind {
    /// Parse `"logistic"` or `"trees"`.
    pub fn parse(s: &str) -> Option<ModelKind> {
        match s {
            "logistic" => Some(ModelKind::Logistic),
            "trees" => Some(ModelKind::Trees),
            _ => None,
        }
    }
}

/// Parameters of [`TabularClassifier::fit`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClassifierParams {
    /// Model family.
    pub model: ModelKind,
    /// L2 penalty of the logistic regression (`1/C` in scikit-learn terms).
    pub l2: f64,
    /// Maximum Newton iterations of the logistic regression.
    pub max_iter: usize,
    /// Convergence tolerance on the Newton step.
    pub tolerance: f64,
    /// Categories seen fewer times in training go to the `other` bucket.
    pub min_category_count: usize,
    /// Quantile-bin indicators added per numeric column for the logistic regression (0 = none;
    /// trees split numeric columns themselves and never get them).
    pub numeric_bins: usize,
    /// Boosting parameters (for [`ModelKind::Trees`]).
    pub boost: BoostParams,
    /// Folds of the out-of-fold Platt calibration; 0 = no calibration.
    pub calibration_folds: usize,
    /// Seed of the fold assignment.
    pub seed: u64,
}

impl Default for ClassifierParams {
    fn default() -> Self {
        ClassifierParams {
            model: ModelKind::Logistic,
            l2: 1.0,
            max_iter: 100,
            tolerance: 1e-8,
            min_category_count: 1,
            numeric_bins: 0,
            boost: BoostParams::default(),
            calibration_folds: 5,
            seed: 42,
        }
    }
}

impl ClassifierParams {
    /// Check the parameters.
    pub fn validate(&self) -> Result<()> {
        if !(self.l2 >= 0.0 && self.l2.is_finite()) {
            return Err(CoreError::param("l2", "must be ≥ 0"));
        }
        if self.max_iter == 0 {
            return Err(CoreError::param("max_iter", "must be ≥ 1"));
        }
        if self.tolerance.is_nan() || self.tolerance <= 0.0 {
            return Err(CoreError::param("tolerance", "must be > 0"));
        }
        if self.calibration_folds == 1 {
            return Err(CoreError::param(
                "calibration_folds",
                "must be 0 (off) or ≥ 2",
            ));
        }
        if self.boost.n_trees == 0 {
            return Err(CoreError::param("boost.n_trees", "must be ≥ 1"));
        }
        if !(self.boost.learning_rate > 0.0 && self.boost.learning_rate <= 1.0) {
            return Err(CoreError::param("boost.learning_rate", "must be in (0, 1]"));
        }
        Ok(())
    }
}

/// The fitted scorer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Scorer {
    /// Logistic regression.
    Logistic(Logistic),
    /// Boosted trees.
    Trees(Boosted),
}

impl Scorer {
    fn decision(&self, row: &[f64]) -> f64 {
        match self {
            Scorer::Logistic(m) => m.decision(row),
            Scorer::Trees(m) => m.decision(row),
        }
    }
}

/// Platt scaling `P = σ(a·score + b)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Platt {
    /// Slope.
    pub a: f64,
    /// Offset.
    pub b: f64,
}

/// One column's contribution to a row's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Factor {
    /// Original column name.
    pub column: String,
    /// The row's value of that column, as text.
    pub value: String,
    /// Contribution to the log-odds of class 1 relative to the training average (positive =
    /// pushes towards class 1).
    pub contribution: f64,
}

/// A fitted tabular classifier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TabularClassifier {
    /// The parameters it was fitted with.
    pub params: ClassifierParams,
    /// The encoder.
    pub encoder: Encoder,
    /// The scorer on encoded features.
    pub scorer: Scorer,
    /// Calibration of the scores, when fitted.
    pub calibration: Option<Platt>,
}

fn check_labels(y: &[bool], n: usize) -> Result<()> {
    if y.len() != n {
        return Err(CoreError::validation(
            TABLE,
            None,
            Some("label"),
            format!("{} labels for {n} rows", y.len()),
        ));
    }
    let pos = y.iter().filter(|v| **v).count();
    if pos == 0 || pos == n {
        return Err(CoreError::validation(
            TABLE,
            None,
            Some("label"),
            "all labels are of one class: a classifier needs both",
        ));
    }
    Ok(())
}

fn fit_platt(scores: &[f64], y: &[bool]) -> Result<Platt> {
    // Two-parameter logistic regression of y on the score.
    let x: Vec<f64> = scores.to_vec();
    let m = Logistic::fit(&x, 1, y, None, 1e-6, 100, 1e-10)?;
    Ok(Platt {
        a: m.coef[0],
        b: m.intercept,
    })
}

impl TabularClassifier {
    /// Fit on `data` with labels `y` (true = class 1).
    pub fn fit(
        data: &TabularData,
        y: &[bool],
        params: &ClassifierParams,
    ) -> Result<TabularClassifier> {
        params.validate()?;
        check_labels(y, data.n_rows())?;
        let (encoder, scorer) = Self::fit_scorer(data, y, params)?;
        let calibration = if params.calibration_folds >= 2 {
            let folds = stratified_folds(y, params.calibration_folds, params.seed)?;
            let mut oof = vec![0.0; y.len()];
            for k in 0..params.calibration_folds {
                let train: Vec<usize> = (0..y.len()).filter(|&i| folds[i] != k).collect();
                let test: Vec<usize> = (0..y.len()).filter(|&i| folds[i] == k).collect();
                let ty: Vec<bool> = train.iter().map(|&i| y[i]).collect();
                let (enc, sc) = Self::fit_scorer(&data.take(&train), &ty, params)?;
                let xt = enc.transform(&data.take(&test))?;
                let p = enc.n_features();
                for (j, &i) in test.iter().enumerate() {
                    oof[i] = sc.decision(&xt[j * p..(j + 1) * p]);
                }
            }
            Some(fit_platt(&oof, y)?)
        } else {
            None
        };
        Ok(TabularClassifier {
            params: params.clone(),
            encoder,
            scorer,
            calibration,
        })
    }

    fn fit_scorer(
        data: &TabularData,
        y: &[bool],
        params: &ClassifierParams,
    ) -> Result<(Encoder, Scorer)> {
        let bins = match params.model {
            ModelKind::Logistic => params.numeric_bins,
            ModelKind::Trees => 0,
        };
        let encoder = Encoder::fit_with_bins(data, params.min_category_count, bins)?;
        let x = encoder.transform(data)?;
        let p = encoder.n_features();
        let scorer = match params.model {
            ModelKind::Logistic => Scorer::Logistic(Logistic::fit(
                &x,
                p,
                y,
                None,
                params.l2,
                params.max_iter,
                params.tolerance,
            )?),
            ModelKind::Trees => Scorer::Trees(Boosted::fit_logloss(&x, p, y, &params.boost)),
        };
        Ok((encoder, scorer))
    }

    /// Uncalibrated scores (log-odds) of every row.
    pub fn decision_function(&self, data: &TabularData) -> Result<Vec<f64>> {
        let x = self.encoder.transform(data)?;
        let p = self.encoder.n_features();
        Ok((0..data.n_rows())
            .map(|i| self.scorer.decision(&x[i * p..(i + 1) * p]))
            .collect())
    }

    /// Calibrated probability of class 1 for every row.
    pub fn predict_proba(&self, data: &TabularData) -> Result<Vec<f64>> {
        let s = self.decision_function(data)?;
        Ok(s.into_iter()
            .map(|z| match self.calibration {
                Some(c) => sigmoid(c.a * z + c.b),
                None => sigmoid(z),
            })
            .collect())
    }

    /// Per-row contributions of every original column to the log-odds, relative to the training
    /// average (logistic: coefficient × (encoded value − training mean), one-hot groups summed;
    /// trees: path contributions), the `top` largest in absolute value first.
    pub fn explain(&self, data: &TabularData, top: usize) -> Result<Vec<Vec<Factor>>> {
        let x = self.encoder.transform(data)?;
        let p = self.encoder.n_features();
        let ncol = self.encoder.columns.len();
        let cols: Vec<_> = self
            .encoder
            .columns
            .iter()
            .map(|c| {
                data.column(c)
                    .ok_or_else(|| CoreError::validation(TABLE, None, Some(c), "column missing"))
            })
            .collect::<Result<_>>()?;
        let mut out = Vec::with_capacity(data.n_rows());
        let mut feat = vec![0.0; p];
        for i in 0..data.n_rows() {
            let row = &x[i * p..(i + 1) * p];
            feat.iter_mut().for_each(|v| *v = 0.0);
            match &self.scorer {
                Scorer::Logistic(m) => {
                    for (j, f) in self.encoder.features.iter().enumerate() {
                        feat[j] = m.coef[j] * (row[j] - f.mean);
                    }
                }
                Scorer::Trees(m) => {
                    m.contributions(row, &mut feat);
                }
            }
            let mut per_col = vec![0.0; ncol];
            for (j, f) in self.encoder.features.iter().enumerate() {
                per_col[f.source] += feat[j];
            }
            let mut factors: Vec<Factor> = (0..ncol)
                .map(|c| Factor {
                    column: self.encoder.columns[c].clone(),
                    value: cols[c].display(i),
                    contribution: per_col[c],
                })
                .collect();
            factors.sort_by(|a, b| b.contribution.abs().total_cmp(&a.contribution.abs()));
            factors.truncate(top);
            out.push(factors);
        }
        Ok(out)
    }
}

/// Cross-validated evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CvReport {
    /// AUC of each fold.
    pub fold_auc: Vec<f64>,
    /// Mean of the fold AUCs.
    pub mean_auc: f64,
    /// AUC of the pooled out-of-fold probabilities.
    pub pooled_auc: f64,
    /// Mean log loss of the out-of-fold probabilities.
    pub log_loss: f64,
}

/// Stratified `k`-fold cross-validation of the classifier (AUC, log loss).
pub fn cross_validate(
    data: &TabularData,
    y: &[bool],
    params: &ClassifierParams,
    k: usize,
    seed: u64,
) -> Result<CvReport> {
    check_labels(y, data.n_rows())?;
    let folds = stratified_folds(y, k, seed)?;
    let mut oof = vec![0.0; y.len()];
    let mut fold_auc = Vec::with_capacity(k);
    for f in 0..k {
        let train: Vec<usize> = (0..y.len()).filter(|&i| folds[i] != f).collect();
        let test: Vec<usize> = (0..y.len()).filter(|&i| folds[i] == f).collect();
        let ty: Vec<bool> = train.iter().map(|&i| y[i]).collect();
        let model = TabularClassifier::fit(&data.take(&train), &ty, params)?;
        let p = model.predict_proba(&data.take(&test))?;
        let yt: Vec<bool> = test.iter().map(|&i| y[i]).collect();
        fold_auc.push(roc_auc(&p, &yt)?);
        for (j, &i) in test.iter().enumerate() {
            oof[i] = p[j];
        }
    }
    Ok(CvReport {
        mean_auc: fold_auc.iter().sum::<f64>() / k as f64,
        fold_auc,
        pooled_auc: roc_auc(&oof, y)?,
        log_loss: super::metrics::log_loss(&oof, y),
    })
}
