//! The tabular binary classifier shared by churn (risk) and leads (conversion): encoding,
//! logistic regression, boosted trees or their ensemble (the mean of both calibrated
//! probabilities), out-of-fold Platt calibration, per-row explanations per original column, and
//! stratified cross-validated AUC.

use super::data::{TabularData, TABLE};
use super::encode::{Encoder, EncoderParams};
use super::logistic::{sigmoid, Logistic, LogisticParams};
use super::metrics::{roc_auc, stratified_folds};
use super::tree::{BoostParams, Boosted, TreeParams};
use crate::error::{LearnError, Result};
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
    /// The mean of the calibrated probabilities of a logistic regression (on the spline basis of
    /// [`EnsembleParams::spline_knots`]) and boosted trees ([`EnsembleParams::boost`]), each
    /// fitted on the same rows; explanations are the mean of both members' contributions.
    Ensemble,
    /// Logistic regression, boosted trees or the ensemble, chosen by a holdout (logistic unless
    /// a challenger ranks it better by evidence: [`crate::auto_rule`]), refitted on every row; see [`TabularClassifier::fit_auto`] (the holdout given by the
    /// caller, e.g. the churn risk model's latest training dates) and
    /// [`TabularClassifier::fit`] (the last quarter of the rows, taken to be in time order).
    /// The fitted model records the choice ([`TabularClassifier::selection`]).
    Auto,
}

impl ModelKind {
    /// Parse `"logistic"`, `"trees"`, `"ensemble"` or `"auto"`.
    pub fn parse(s: &str) -> Option<ModelKind> {
        match s {
            "logistic" => Some(ModelKind::Logistic),
            "trees" => Some(ModelKind::Trees),
            "ensemble" => Some(ModelKind::Ensemble),
            "auto" => Some(ModelKind::Auto),
            _ => None,
        }
    }

    /// The name [`ModelKind::parse`] reads.
    pub fn as_str(self) -> &'static str {
        match self {
            ModelKind::Logistic => "logistic",
            ModelKind::Trees => "trees",
            ModelKind::Ensemble => "ensemble",
            ModelKind::Auto => "auto",
        }
    }
}

/// How [`ModelKind::Ensemble`] builds its two members (the other [`ClassifierParams`] — `l2`,
/// `numeric_bins`, `max_iter`, `tolerance`, `min_category_count`, `calibration_folds`, `seed` —
/// apply to both as usual).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EnsembleParams {
    /// Knots of the cubic B-spline basis added per numeric column for the logistic member (0 =
    /// none).
    pub spline_knots: usize,
    /// Boosting parameters of the trees member.
    pub boost: BoostParams,
}

impl Default for EnsembleParams {
    fn default() -> Self {
        // Smooth bends for the linear member (scikit-learn's `SplineTransformer` default of 5
        // knots) and additive stumps for the trees: two different views of the same columns
        // whose errors partly cancel.
        EnsembleParams {
            spline_knots: 5,
            boost: BoostParams {
                n_trees: 400,
                learning_rate: 0.1,
                tree: TreeParams {
                    max_depth: 1,
                    min_child_weight: 10.0,
                    ..TreeParams::default()
                },
            },
        }
    }
}

/// Parameters of [`TabularClassifier::fit`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
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
    /// Knots of the cubic B-spline basis added per numeric column for the logistic regression (0
    /// = none; trees never get it).
    pub spline_knots: usize,
    /// Boosting parameters (for [`ModelKind::Trees`]).
    pub boost: BoostParams,
    /// The members of [`ModelKind::Ensemble`].
    pub ensemble: EnsembleParams,
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
            spline_knots: 0,
            boost: BoostParams::default(),
            ensemble: EnsembleParams::default(),
            calibration_folds: 5,
            seed: 42,
        }
    }
}

impl ClassifierParams {
    /// Check the parameters.
    pub fn validate(&self) -> Result<()> {
        if !(self.l2 >= 0.0 && self.l2.is_finite()) {
            return Err(LearnError::param("l2", "must be ≥ 0"));
        }
        if self.max_iter == 0 {
            return Err(LearnError::param("max_iter", "must be ≥ 1"));
        }
        if self.tolerance.is_nan() || self.tolerance <= 0.0 {
            return Err(LearnError::param("tolerance", "must be > 0"));
        }
        if self.calibration_folds == 1 {
            return Err(LearnError::param(
                "calibration_folds",
                "must be 0 (off) or ≥ 2",
            ));
        }
        if self.spline_knots == 1 {
            return Err(LearnError::param("spline_knots", "must be 0 (none) or ≥ 2"));
        }
        if self.ensemble.spline_knots == 1 {
            return Err(LearnError::param(
                "ensemble.spline_knots",
                "must be 0 (none) or ≥ 2",
            ));
        }
        for (name, b) in [
            ("boost", &self.boost),
            ("ensemble.boost", &self.ensemble.boost),
        ] {
            if b.n_trees == 0 {
                return Err(LearnError::param(&format!("{name}.n_trees"), "must be ≥ 1"));
            }
            if !(b.learning_rate > 0.0 && b.learning_rate <= 1.0) {
                return Err(LearnError::param(
                    &format!("{name}.learning_rate"),
                    "must be in (0, 1]",
                ));
            }
        }
        Ok(())
    }

    /// The parameters of the two members of [`ModelKind::Ensemble`]: a logistic regression with
    /// the ensemble's spline basis, and trees with the ensemble's boosting parameters.
    pub fn ensemble_members(&self) -> [ClassifierParams; 2] {
        let logistic = ClassifierParams {
            model: ModelKind::Logistic,
            spline_knots: self.ensemble.spline_knots,
            ..self.clone()
        };
        let trees = ClassifierParams {
            model: ModelKind::Trees,
            boost: self.ensemble.boost.clone(),
            ..self.clone()
        };
        [logistic, trees]
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
    /// The members of an ensemble (each with its own encoder and calibration); the ensemble's
    /// probability is the mean of theirs.
    Ensemble(Vec<TabularClassifier>),
}

impl Scorer {
    /// Log-odds of one encoded row (0 for an ensemble, which scores raw tables instead).
    fn decision(&self, row: &[f64]) -> f64 {
        match self {
            Scorer::Logistic(m) => m.decision(row),
            Scorer::Trees(m) => m.decision(row),
            Scorer::Ensemble(_) => 0.0,
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
    /// For [`ModelKind::Auto`]: which model the holdout chose and why (`params.model` is then
    /// the chosen one).
    #[serde(default)]
    pub selection: Option<crate::auto::AutoChoice>,
}

fn check_labels(y: &[bool], n: usize) -> Result<()> {
    if y.len() != n {
        return Err(LearnError::validation(
            TABLE,
            None,
            Some("label"),
            format!("{} labels for {n} rows", y.len()),
        ));
    }
    let pos = y.iter().filter(|v| **v).count();
    if pos == 0 || pos == n {
        return Err(LearnError::validation(
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
    let m = Logistic::fit(
        &x,
        1,
        y,
        &LogisticParams {
            l2: 1e-6,
            max_iter: 100,
            tolerance: 1e-10,
        },
    )?;
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
        if params.model == ModelKind::Auto {
            // Rows in time order: the last quarter is the holdout.
            let n = y.len();
            let cut = n - n / 4;
            let (fit_rows, holdout): (Vec<usize>, Vec<usize>) =
                ((0..cut).collect(), (cut..n).collect());
            return TabularClassifier::fit_auto(data, y, &fit_rows, &holdout, params);
        }
        if params.model == ModelKind::Ensemble {
            let members = params
                .ensemble_members()
                .iter()
                .map(|p| TabularClassifier::fit(data, y, p))
                .collect::<Result<Vec<_>>>()?;
            return Ok(TabularClassifier {
                params: params.clone(),
                encoder: Encoder::fit(data, &EncoderParams::categories(params.min_category_count))?,
                scorer: Scorer::Ensemble(members),
                calibration: None,
                selection: None,
            });
        }
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
            selection: None,
        })
    }

    fn fit_scorer(
        data: &TabularData,
        y: &[bool],
        params: &ClassifierParams,
    ) -> Result<(Encoder, Scorer)> {
        let (bins, knots) = match params.model {
            ModelKind::Logistic => (params.numeric_bins, params.spline_knots),
            _ => (0, 0),
        };
        let encoder = Encoder::fit(
            data,
            &EncoderParams {
                min_category_count: params.min_category_count,
                numeric_bins: bins,
                spline_knots: knots,
            },
        )?;
        let x = encoder.transform(data)?;
        let p = encoder.n_features();
        let scorer = match params.model {
            ModelKind::Trees => Scorer::Trees(Boosted::fit_logloss(&x, p, y, &params.boost)),
            // Logistic, and the logistic member of an ensemble (`Auto` never gets here: `fit`
            // resolves it first).
            _ => Scorer::Logistic(Logistic::fit(
                &x,
                p,
                y,
                &LogisticParams {
                    l2: params.l2,
                    max_iter: params.max_iter,
                    tolerance: params.tolerance,
                },
            )?),
        };
        Ok((encoder, scorer))
    }

    /// Uncalibrated scores (log-odds) of every row (for an ensemble: the log-odds of its
    /// probability).
    pub fn decision_function(&self, data: &TabularData) -> Result<Vec<f64>> {
        if let Scorer::Ensemble(_) = &self.scorer {
            return Ok(self
                .predict_proba(data)?
                .into_iter()
                .map(|q| {
                    let q = q.clamp(1e-15, 1.0 - 1e-15);
                    (q / (1.0 - q)).ln()
                })
                .collect());
        }
        let x = self.encoder.transform(data)?;
        let p = self.encoder.n_features();
        Ok((0..data.n_rows())
            .map(|i| self.scorer.decision(&x[i * p..(i + 1) * p]))
            .collect())
    }

    /// Calibrated probability of class 1 for every row.
    pub fn predict_proba(&self, data: &TabularData) -> Result<Vec<f64>> {
        if let Scorer::Ensemble(members) = &self.scorer {
            let mut mean = vec![0.0; data.n_rows()];
            for m in members {
                for (a, q) in mean.iter_mut().zip(m.predict_proba(data)?) {
                    *a += q / members.len() as f64;
                }
            }
            return Ok(mean);
        }
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
    /// trees: path contributions; ensemble: the mean of its members' contributions, each scaled
    /// by its Platt slope so both are on the calibrated log-odds scale), the `top` largest in
    /// absolute value first.
    pub fn explain(&self, data: &TabularData, top: usize) -> Result<Vec<Vec<Factor>>> {
        let per_col = self.column_contributions(data)?;
        let ncol = self.encoder.columns.len();
        let cols: Vec<_> = self
            .encoder
            .columns
            .iter()
            .map(|c| {
                data.column(c)
                    .ok_or_else(|| LearnError::validation(TABLE, None, Some(c), "column missing"))
            })
            .collect::<Result<_>>()?;
        let mut out = Vec::with_capacity(data.n_rows());
        for (i, row) in per_col.iter().enumerate() {
            let mut factors: Vec<Factor> = (0..ncol)
                .zip(row)
                .zip(&cols)
                .map(|((c, w), col)| Factor {
                    column: self.encoder.columns[c].clone(),
                    value: col.display(i),
                    contribution: *w,
                })
                .collect();
            factors.sort_by(|a, b| b.contribution.abs().total_cmp(&a.contribution.abs()));
            factors.truncate(top);
            out.push(factors);
        }
        Ok(out)
    }

    /// Contribution of every original column (in `encoder.columns` order) to each row's log-odds.
    fn column_contributions(&self, data: &TabularData) -> Result<Vec<Vec<f64>>> {
        let ncol = self.encoder.columns.len();
        if let Scorer::Ensemble(members) = &self.scorer {
            let mut mean = vec![vec![0.0; ncol]; data.n_rows()];
            for m in members {
                let slope = m.calibration.map_or(1.0, |c| c.a);
                let w = slope / members.len() as f64;
                for (acc, row) in mean.iter_mut().zip(m.column_contributions(data)?) {
                    // Members were fitted on the same columns, in the same order.
                    for (a, v) in acc.iter_mut().zip(row) {
                        *a += w * v;
                    }
                }
            }
            return Ok(mean);
        }
        let x = self.encoder.transform(data)?;
        let p = self.encoder.n_features();
        let mut out = Vec::with_capacity(data.n_rows());
        let mut feat = vec![0.0; p];
        for row in x.chunks_exact(p.max(1)).take(data.n_rows()) {
            feat.iter_mut().for_each(|v| *v = 0.0);
            match &self.scorer {
                Scorer::Logistic(m) => {
                    for ((v, f), (c, x)) in feat
                        .iter_mut()
                        .zip(&self.encoder.features)
                        .zip(m.coef.iter().zip(row))
                    {
                        *v = c * (x - f.mean);
                    }
                }
                Scorer::Trees(m) => {
                    m.contributions(row, &mut feat);
                }
                Scorer::Ensemble(_) => {}
            }
            let mut per_col = vec![0.0; ncol];
            for (f, v) in self.encoder.features.iter().zip(&feat) {
                if let Some(c) = per_col.get_mut(f.source) {
                    *c += v;
                }
            }
            out.push(per_col);
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
    cross_validate_folds(data, y, params, &folds)
}

/// Cross-validation on a given fold assignment (`folds[i]` = the fold of row `i`, folds numbered
/// from 0; e.g. scikit-learn's, to compare with a peer on the very same splits).
pub fn cross_validate_folds(
    data: &TabularData,
    y: &[bool],
    params: &ClassifierParams,
    folds: &[usize],
) -> Result<CvReport> {
    check_labels(y, data.n_rows())?;
    if folds.len() != y.len() {
        return Err(LearnError::param(
            "folds",
            format!("{} fold numbers for {} rows", folds.len(), y.len()),
        ));
    }
    let k = folds.iter().max().map_or(0, |m| m + 1);
    if k < 2 {
        return Err(LearnError::param("folds", "must be ≥ 2"));
    }
    let mut oof = vec![0.0; y.len()];
    let mut fold_auc = Vec::with_capacity(k);
    for f in 0..k {
        let train: Vec<usize> = (0..y.len()).filter(|&i| folds[i] != f).collect();
        let test: Vec<usize> = (0..y.len()).filter(|&i| folds[i] == f).collect();
        if test.is_empty() {
            return Err(LearnError::param("folds", format!("fold {f} has no rows")));
        }
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
