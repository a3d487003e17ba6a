//! Evaluation against simulated ground truth: AUC of the points rule and of the learned model on
//! the open leads of a snapshot, with the outcome (a purchase within the horizon) taken from the
//! simulator's truth, and a lift table.

use super::model::{histories, snapshot_of, training_of, LeadModel, ModelParams};
use super::points::{LeadScorer, PointsParams};
use crate::error::{CoreError, Result};
use crate::learn::{roc_auc, ClassifierParams, ModelKind, TabularClassifier};
use crate::model::Tables;
use crate::simulate::GroundTruth;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One decile of a lift table (decile 1 = the highest scores).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiftRow {
    /// 1 (top 10 % of scores) … 10.
    pub decile: usize,
    /// Leads in the decile.
    pub leads: usize,
    /// Of which converted.
    pub conversions: usize,
    /// Conversion rate.
    pub rate: f64,
    /// Rate / overall rate.
    pub lift: f64,
}

/// Conversion by score decile (ties broken by row order; the last decile takes the remainder).
pub fn lift_table(scores: &[f64], y: &[bool]) -> Result<Vec<LiftRow>> {
    if scores.len() != y.len() || scores.is_empty() {
        return Err(CoreError::param(
            "scores",
            format!("{} scores for {} labels", scores.len(), y.len()),
        ));
    }
    let n = y.len();
    let base = y.iter().filter(|v| **v).count() as f64 / n as f64;
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let mut out = Vec::with_capacity(10);
    for d in 0..10 {
        let lo = d * n / 10;
        let hi = (d + 1) * n / 10;
        let part = idx.get(lo..hi).unwrap_or(&[]);
        let conv = part.iter().filter(|&&i| y[i]).count();
        let rate = conv as f64 / part.len().max(1) as f64;
        out.push(LiftRow {
            decile: d + 1,
            leads: part.len(),
            conversions: conv,
            rate,
            lift: if base > 0.0 { rate / base } else { 0.0 },
        });
    }
    Ok(out)
}

/// The outcome of each lead in `ids` from the simulator's truth: converted in
/// `(as_of, as_of + horizon_days]`.
pub fn truth_labels(
    truth: &GroundTruth,
    ids: &[String],
    as_of: DateTime<Utc>,
    horizon_days: u32,
) -> Vec<bool> {
    let d = as_of.timestamp();
    let h = i64::from(horizon_days) * 86_400;
    ids.iter()
        .map(|id| {
            truth
                .lead(id)
                .and_then(|t| t.converted_at)
                .is_some_and(|c| c.timestamp() > d && c.timestamp() <= d + h)
        })
        .collect()
}

/// What [`evaluate`] measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Snapshot time.
    pub as_of: DateTime<Utc>,
    /// Open leads scored at the snapshot.
    pub leads: usize,
    /// Of which converted within the horizon (truth).
    pub conversions: usize,
    /// AUC of the points rule's engagement.
    pub rules_auc: f64,
    /// AUC of each learned model (trained on the history before the snapshot).
    pub learned_auc: Vec<(ModelKind, f64)>,
    /// AUC of the true conversion propensity (an upper reference; it knows the latent intent and
    /// future events).
    pub oracle_auc: f64,
    /// AUC of boosted trees trained and scored with the lead's true latent intent added to the
    /// features: what a model could reach from the past if the one hidden driver were observed.
    pub intent_oracle_auc: f64,
    /// The automatic choice made on the training rows.
    pub choice: super::model::ModelChoice,
    /// AUC of the automatically chosen scorer on the snapshot.
    pub chosen_auc: f64,
    /// Lift table of the chosen scorer.
    pub lift: Vec<LiftRow>,
    /// Lift table of the points rule.
    pub rules_lift: Vec<LiftRow>,
}

/// Evaluate at `as_of` (which must leave `horizon_days` of data after it): train on the history
/// before `as_of`, score the open leads at `as_of`, and compare with the truth.
pub fn evaluate(
    tables: &Tables,
    truth: &GroundTruth,
    as_of: DateTime<Utc>,
    params: &ModelParams,
    points: &PointsParams,
) -> Result<Evaluation> {
    params.validate()?;
    let scorer = LeadScorer::new(points.clone())?;
    let (hs, _) = histories(tables);
    let d = as_of.timestamp();
    let train = training_of(&hs, d, params, &scorer)?;
    let test = snapshot_of(&hs, d, params, &scorer)?;
    // Labels from the truth (the same as the purchase events, but from the simulator's record).
    let y = truth_labels(truth, &test.ids, as_of, params.horizon_days);
    let oracle: Vec<f64> = test
        .ids
        .iter()
        .map(|id| truth.lead(id).map_or(0.0, |t| t.conversion_propensity))
        .collect();
    let rules_auc = roc_auc(&test.engagement, &y)?;
    let mut learned_auc = Vec::new();
    for &kind in &params.candidates {
        let cp = ClassifierParams {
            model: kind,
            calibration_folds: 0,
            ..params.classifier.clone()
        };
        // A candidate that fails to fit (e.g. no convergence) is reported as missing.
        if let Ok(m) = TabularClassifier::fit(&train.data, &train.labels, &cp) {
            learned_auc.push((kind, roc_auc(&m.decision_function(&test.data)?, &y)?));
        }
    }
    let intent_oracle_auc = intent_oracle(truth, &train, &test, &y, params)?;
    let model = LeadModel::fit_snapshot(&train, params, points)?;
    let chosen: Vec<f64> = model
        .score_snapshot(&test)?
        .iter()
        .map(|s| s.score)
        .collect();
    Ok(Evaluation {
        as_of,
        leads: y.len(),
        conversions: y.iter().filter(|v| **v).count(),
        rules_auc,
        learned_auc,
        oracle_auc: roc_auc(&oracle, &y)?,
        intent_oracle_auc,
        chosen_auc: roc_auc(&chosen, &y)?,
        lift: lift_table(&chosen, &y)?,
        rules_lift: lift_table(&test.engagement, &y)?,
        choice: model.choice,
    })
}

/// AUC on `test` (labels `y`) of boosted trees fitted on `train` with each lead's true latent
/// intent as one more column: the reference a model of the observable past is measured against.
pub fn intent_oracle(
    truth: &GroundTruth,
    train: &super::model::Snapshot,
    test: &super::model::Snapshot,
    y: &[bool],
    params: &ModelParams,
) -> Result<f64> {
    let with_intent = |s: &super::model::Snapshot| -> Result<crate::learn::TabularData> {
        let mut data = s.data.clone();
        let intent = s
            .ids
            .iter()
            .map(|id| truth.lead(id).map_or(f64::NAN, |t| t.intent))
            .collect();
        data.push("true_intent", crate::learn::ColumnData::Numeric(intent))?;
        Ok(data)
    };
    let cp = ClassifierParams {
        model: ModelKind::Trees,
        calibration_folds: 0,
        ..params.classifier.clone()
    };
    let m = TabularClassifier::fit(&with_intent(train)?, &train.labels, &cp)?;
    Ok(roc_auc(&m.decision_function(&with_intent(test)?)?, y)?)
}
